"""The device API's OpenAPI 3 document, written by hand as data (served at /openapi.json).

Keep it in step with `device_api.py` and docs/device-api.md: schemathesis checks every
response of the running backend against this document.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ERROR_CODES", "FAILURE_CODES", "openapi_document"]

ERROR_CODES = [
    "VALIDATION_ERROR",
    "SLOW_DOWN",
    "UNAUTHENTICATED",
    "ENROLMENT_REFUSED",
    "NOT_FOUND",
    "IDEMPOTENCY_KEY_REUSED",
    "PRICE_CHANGED",
    "BINDING_REVOKED",
    "BINDING_EXPIRED",
    "CURRENCY_MISMATCH",
    "BODY_TOO_LARGE",
    "RATE_LIMITED",
    "BACKEND_UNAVAILABLE",
]

FAILURE_CODES = [
    "BELOW_MINIMUM",
    "ABOVE_TRANSACTION_LIMIT",
    "DAILY_LIMIT_REACHED",
    "YEARLY_LIMIT_REACHED",
    "INSUFFICIENT_BALANCE",
    "BINDING_REVOKED",
    "BINDING_EXPIRED",
    "PAYMENT_DECLINED",
    "WALLET_UNAVAILABLE",
    "PAYMENT_TIMEOUT",
    "MERCHANT_CANCELLED",
]

BIND_FAILURE_CODES = ["CANCELLED", "WALLET_UNAVAILABLE", "AUTHORIZATION_FAILED", "DECLINED"]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(name: str) -> dict[str, Any]:
    return {"allOf": [_ref(name)], "nullable": True}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(name)}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json("Error")}


_TIME = {"type": "string", "format": "date-time"}
_NULL_TIME = {"type": "string", "format": "date-time", "nullable": True}
_ID = {"type": "string", "minLength": 1, "maxLength": 64}
_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}

_SCHEMAS: dict[str, Any] = {
    "Money": {
        "type": "object",
        "required": ["currency", "value"],
        "properties": {
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "value": {"type": "integer", "minimum": 0},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "retryable"],
                "properties": {
                    "code": {"type": "string", "enum": ERROR_CODES},
                    "message": {"type": "string"},
                    "retryable": {"type": "boolean"},
                    "field": {"type": "string"},
                    "interval": {"type": "integer"},
                    "retry_after": {"type": "integer"},
                    "revoked_by": {"type": "string", "nullable": True},
                    "price": _ref("Money"),
                    "limit": {"type": "integer"},
                },
                "additionalProperties": True,
            }
        },
    },
    "Failure": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    },
    "EnrolRequest": {
        "type": "object",
        "properties": {
            "enrolment_token": {"type": "string", "maxLength": 256},
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "platform": {"type": "string", "minLength": 1, "maxLength": 64},
            "app_version": {"type": "string", "minLength": 1, "maxLength": 32},
        },
    },
    "Enrolment": {
        "type": "object",
        "required": ["device_id", "credential", "created_at"],
        "properties": {
            "device_id": {"type": "string"},
            "credential": {"type": "string"},
            "created_at": _TIME,
        },
    },
    "BindSessionRequest": {
        "type": "object",
        "required": ["wallet"],
        "properties": {"wallet": {"type": "string", "enum": ["ALIPAY_HK", "DANA"]}},
    },
    "Limits": {
        "type": "object",
        "required": [
            "min_per_transaction",
            "max_per_transaction",
            "remaining_today",
            "remaining_this_year",
        ],
        "properties": {
            "min_per_transaction": _ref("Money"),
            "max_per_transaction": _ref("Money"),
            "remaining_today": _nullable("Money"),
            "remaining_this_year": _nullable("Money"),
        },
    },
    "Binding": {
        "type": "object",
        "required": [
            "ref",
            "wallet",
            "currency",
            "state",
            "revoked_by",
            "account",
            "created_at",
            "limits",
        ],
        "properties": {
            "ref": {"type": "string"},
            "wallet": {"type": "string", "enum": ["ALIPAY_HK", "DANA"]},
            "currency": {"type": "string"},
            "state": {"type": "string", "enum": ["ACTIVE", "REVOKED", "EXPIRED"]},
            "revoked_by": {"type": "string", "enum": ["DEVICE", "WALLET"], "nullable": True},
            "account": {"type": "string", "nullable": True},
            "created_at": _TIME,
            "limits": _ref("Limits"),
        },
    },
    "BindSession": {
        "type": "object",
        "required": [
            "id",
            "wallet",
            "state",
            "qr_text",
            "expires_at",
            "expires_in",
            "interval",
            "long_poll",
            "binding",
            "failure",
        ],
        "properties": {
            "id": {"type": "string"},
            "wallet": {"type": "string", "enum": ["ALIPAY_HK", "DANA"]},
            "state": {
                "type": "string",
                "enum": ["PENDING", "BOUND", "EXPIRED", "DECLINED", "FAILED"],
            },
            "qr_text": {"type": "string", "nullable": True},
            "expires_at": _TIME,
            "expires_in": {"type": "integer", "minimum": 0},
            "interval": {"type": "integer", "minimum": 1},
            "long_poll": {"type": "integer", "minimum": 0, "maximum": 25},
            "binding": _nullable("Binding"),
            "failure": _nullable("Failure"),
        },
    },
    "Product": {
        "type": "object",
        "required": ["id", "title", "description", "image_url", "prices"],
        "properties": {
            "id": {"type": "string"},
            "title": _TEXTS,
            "description": _TEXTS,
            "image_url": {"type": "string", "nullable": True},
            "prices": {"type": "array", "items": _ref("Money")},
        },
    },
    "Catalog": {
        "type": "object",
        "required": ["products"],
        "properties": {"products": {"type": "array", "items": _ref("Product")}},
    },
    "PurchaseRequest": {
        "type": "object",
        "required": ["binding", "product_id", "amount"],
        "properties": {
            "binding": _ID,
            "product_id": _ID,
            "amount": _ref("Money"),
        },
    },
    "Receipt": {
        "type": "object",
        "required": ["order_ref", "payment_ref", "item", "amount", "wallet", "account", "paid_at"],
        "properties": {
            "order_ref": {"type": "string"},
            "payment_ref": {"type": "string", "nullable": True},
            "item": {"type": "string"},
            "amount": _ref("Money"),
            "wallet": {"type": "string"},
            "account": {"type": "string", "nullable": True},
            "paid_at": _NULL_TIME,
        },
    },
    "Purchase": {
        "type": "object",
        "required": [
            "id",
            "state",
            "product",
            "amount",
            "wallet",
            "binding",
            "order_ref",
            "created_at",
            "completed_at",
            "interval",
            "long_poll",
            "failure",
            "refunded",
            "receipt",
        ],
        "properties": {
            "id": {"type": "string"},
            "state": {
                "type": "string",
                "enum": [
                    "PROCESSING",
                    "SUCCEEDED",
                    "FAILED",
                    "CANCELLED",
                    "PARTIALLY_REFUNDED",
                    "REFUNDED",
                ],
            },
            "product": {
                "type": "object",
                "required": ["id", "title"],
                "properties": {"id": {"type": "string"}, "title": {"type": "string"}},
            },
            "amount": _ref("Money"),
            "wallet": {"type": "string"},
            "binding": {"type": "string"},
            "order_ref": {"type": "string"},
            "created_at": _TIME,
            "completed_at": _NULL_TIME,
            "interval": {"type": "integer"},
            "long_poll": {"type": "integer"},
            "failure": _nullable("Failure"),
            "refunded": _ref("Money"),
            "receipt": _nullable("Receipt"),
        },
    },
    "PurchaseList": {
        "type": "object",
        "required": ["purchases", "next"],
        "properties": {
            "purchases": {"type": "array", "items": _ref("Purchase")},
            "next": {"type": "string", "nullable": True},
        },
    },
}

_AUTH: list[dict[str, list[str]]] = [{"device": []}]
_WAIT = {
    "name": "wait",
    "in": "query",
    "required": False,
    "description": "Long-poll: hold the request up to this many seconds for a change.",
    "schema": {"type": "integer", "minimum": 1, "maximum": 25},
}
_LANG = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 200},
}


def _path_id(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1},
    }


_COMMON = {
    "401": _error("Missing or unknown device credential (UNAUTHENTICATED)."),
    "429": _error("Too many requests from this device (RATE_LIMITED)."),
    "503": _error("The backend cannot serve now (BACKEND_UNAVAILABLE)."),
}


def _responses(ok: str, schema: str, **more: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {ok: {"description": "OK", "content": _json(schema)}}
    answer.update(_COMMON)
    answer.update(more)
    return answer


def _codes(**pairs: str) -> dict[str, Any]:
    return {code.lstrip("_"): _error(text) for code, text in pairs.items()}


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the device API."""
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "tvclient merchant backend — device API",
            "version": "1.0.0",
            "description": "The API devices use to bind a wallet and buy; see docs/device-api.md.",
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {"device": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/devices": {
                "post": {
                    "operationId": "enrolDevice",
                    "summary": "Enrol a device and get its credential (shown once).",
                    "requestBody": {"required": True, "content": _json("EnrolRequest")},
                    "responses": {
                        "201": {"description": "Enrolled", "content": _json("Enrolment")},
                        **_codes(
                            _400="Malformed body (VALIDATION_ERROR).",
                            _403="Wrong or missing enrolment token (ENROLMENT_REFUSED).",
                            _413="Body too large (BODY_TOO_LARGE).",
                            _503="Backend unavailable.",
                        ),
                    },
                }
            },
            "/v1/catalog": {
                "get": {
                    "operationId": "getCatalog",
                    "security": _AUTH,
                    "parameters": [_LANG],
                    "responses": _responses("200", "Catalog"),
                }
            },
            "/v1/catalog/images/{name}": {
                "get": {
                    "operationId": "getProductImage",
                    "parameters": [_path_id("name")],
                    "responses": {
                        "200": {
                            "description": "The image",
                            "content": {
                                "image/png": {"schema": {"type": "string", "format": "binary"}},
                                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                "image/webp": {"schema": {"type": "string", "format": "binary"}},
                            },
                        },
                        "404": _error("No such image."),
                    },
                }
            },
            "/v1/bind-sessions": {
                "post": {
                    "operationId": "createBindSession",
                    "security": _AUTH,
                    "parameters": [_LANG],
                    "requestBody": {"required": True, "content": _json("BindSessionRequest")},
                    "responses": _responses(
                        "201",
                        "BindSession",
                        **_codes(
                            _400="Malformed body (VALIDATION_ERROR).",
                            _413="Body too large (BODY_TOO_LARGE).",
                        ),
                    ),
                }
            },
            "/v1/bind-sessions/{id}": {
                "get": {
                    "operationId": "getBindSession",
                    "security": _AUTH,
                    "parameters": [_path_id("id"), _WAIT, _LANG],
                    "responses": _responses(
                        "200",
                        "BindSession",
                        **_codes(
                            _400="Polled faster than `interval` (SLOW_DOWN) or bad `wait`.",
                            _404="No such session for this device (NOT_FOUND).",
                        ),
                    ),
                },
                "delete": {
                    "operationId": "cancelBindSession",
                    "security": _AUTH,
                    "parameters": [_path_id("id"), _LANG],
                    "responses": _responses(
                        "200", "BindSession", **_codes(_404="No such session (NOT_FOUND).")
                    ),
                },
            },
            "/v1/bindings/{ref}": {
                "get": {
                    "operationId": "getBinding",
                    "security": _AUTH,
                    "parameters": [_path_id("ref")],
                    "responses": _responses(
                        "200", "Binding", **_codes(_404="No such binding for this device.")
                    ),
                },
                "delete": {
                    "operationId": "unbind",
                    "security": _AUTH,
                    "parameters": [_path_id("ref")],
                    "responses": _responses(
                        "200", "Binding", **_codes(_404="No such binding for this device.")
                    ),
                },
            },
            "/v1/purchases": {
                "post": {
                    "operationId": "createPurchase",
                    "security": _AUTH,
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                        },
                        _LANG,
                    ],
                    "requestBody": {"required": True, "content": _json("PurchaseRequest")},
                    "responses": {
                        "200": {
                            "description": "A replay of a known key",
                            "content": _json("Purchase"),
                        },
                        **_responses(
                            "201",
                            "Purchase",
                            **_codes(
                                _400="Malformed body or key (VALIDATION_ERROR).",
                                _404="No such binding or product (NOT_FOUND).",
                                _409="IDEMPOTENCY_KEY_REUSED, PRICE_CHANGED, BINDING_REVOKED, "
                                "BINDING_EXPIRED or CURRENCY_MISMATCH.",
                                _413="Body too large (BODY_TOO_LARGE).",
                            ),
                        ),
                    },
                },
                "get": {
                    "operationId": "listPurchases",
                    "security": _AUTH,
                    "parameters": [
                        {"name": "binding", "in": "query", "required": False, "schema": _ID},
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "before",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "pattern": "^[0-9]{1,18}$"},
                        },
                        _LANG,
                    ],
                    "responses": _responses(
                        "200",
                        "PurchaseList",
                        **_codes(
                            _400="Bad query parameter (VALIDATION_ERROR).",
                            _404="No such binding for this device.",
                        ),
                    ),
                },
            },
            "/v1/purchases/{id}": {
                "get": {
                    "operationId": "getPurchase",
                    "security": _AUTH,
                    "parameters": [_path_id("id"), _WAIT, _LANG],
                    "responses": _responses(
                        "200",
                        "Purchase",
                        **_codes(
                            _400="Bad `wait` (VALIDATION_ERROR).",
                            _404="No such purchase for this device.",
                        ),
                    ),
                }
            },
        },
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc
