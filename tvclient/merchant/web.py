"""HTTP helpers shared by the device, admin, notification and ops endpoints."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.requests import Request
from starlette.responses import Response

from tvclient.merchant.errors import ApiError
from tvclient.merchant.i18n import message, pick_language

__all__ = [
    "Handler",
    "error_response",
    "guarded",
    "json_response",
    "language_of",
    "query_int",
    "read_body",
    "read_json",
    "text_field",
]

log = logging.getLogger(__name__)

_SURROGATE_RE = re.compile("[\ud800-\udfff]")

Handler = Callable[[Request], Awaitable[Response]]


def language_of(request: Request) -> str:
    """The language the device asked for."""
    return pick_language(request.headers.get("accept-language"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact UTF-8 JSON response."""
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def error_response(error: ApiError, language: str) -> Response:
    """The device API's error envelope for an `ApiError`."""
    body: dict[str, Any] = {
        "code": error.code,
        "message": message(error.code, language),
        "retryable": error.retryable,
    }
    body.update(error.extra)
    headers = {}
    if "retry_after" in error.extra:
        headers["Retry-After"] = str(error.extra["retry_after"])
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return json_response({"error": body}, error.status, headers or None)


def guarded(handler: Handler) -> Handler:
    """Turn errors into the envelope: ApiError as itself, a database failure as 503."""

    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as exc:
            return error_response(exc, language_of(request))
        except SQLAlchemyTimeoutError:
            log.error("database pool exhausted on %s %s", request.method, request.url.path)
            return error_response(
                ApiError(503, "BACKEND_UNAVAILABLE", retryable=True), language_of(request)
            )
        except DBAPIError as exc:
            log.error(
                "database error on %s %s: %s",
                request.method,
                request.url.path,
                type(exc.orig).__name__,
            )
            return error_response(
                ApiError(503, "BACKEND_UNAVAILABLE", retryable=True), language_of(request)
            )

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body; more than `limit` bytes is 413 BODY_TOO_LARGE (not read to the end)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise ApiError(413, "BODY_TOO_LARGE", limit=limit)
        except ValueError:
            raise ApiError(400, "VALIDATION_ERROR", field="Content-Length") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "BODY_TOO_LARGE", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object (400 VALIDATION_ERROR otherwise)."""
    raw = await read_body(request, limit)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "VALIDATION_ERROR", field="body", detail="not JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "VALIDATION_ERROR", field="body", detail="not a JSON object")
    return data


def query_int(request: Request, name: str, *, low: int, high: int) -> int | None:
    """An integer query parameter within [low, high], None when absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "VALIDATION_ERROR", field=name) from None
    if not low <= value <= high:
        raise ApiError(400, "VALIDATION_ERROR", field=name)
    return value


def text_field(
    data: dict[str, Any], name: str, *, max_len: int, required: bool = True
) -> str | None:
    """A string member of a JSON body (400 VALIDATION_ERROR naming it otherwise)."""
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ApiError(400, "VALIDATION_ERROR", field=name)
    if "\x00" in value or _SURROGATE_RE.search(value):
        # PostgreSQL text cannot hold NUL or lone surrogates (JSON "\u0000", "\ud800"): the
        # database refused the write and the device got 503 BACKEND_UNAVAILABLE, "retry",
        # for bad input (found by tests/fuzz/test_device_api.py on PostgreSQL).
        raise ApiError(400, "VALIDATION_ERROR", field=name)
    return value
