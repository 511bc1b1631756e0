"""The device API (`/v1`): enrolment, catalog, bind sessions, bindings, purchases.

The contract is docs/device-api.md and the OpenAPI document in `openapi.py`; keep all three
in step.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import RowMapping
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tvclient.merchant.backend import Backend
from tvclient.merchant.errors import ApiError
from tvclient.merchant.limits import spending
from tvclient.merchant.timing import iso
from tvclient.merchant.views import binding_view, catalog_view, purchase_view, session_view
from tvclient.merchant.web import (
    guarded,
    json_response,
    language_of,
    query_int,
    read_json,
    text_field,
)
from tvclient.money import Money, MoneyError, Wallet, rules_for

__all__ = ["DeviceApi"]

_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_REF_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_PURCHASE_INTERVAL = 2


class DeviceApi:
    """The device API's handlers, bound to one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.config = backend.config
        self.limit = backend.config.max_body_bytes

    async def _device_of(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(401, "UNAUTHENTICATED")
        return await self.backend.devices.authenticate(credential.strip())

    def _rate(self, limiter_name: str, device_id: str) -> None:
        limiter = self.backend.bind_limiter if limiter_name == "bind" else self.backend.poll_limiter
        wait = limiter.check(device_id)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, "RATE_LIMITED", retryable=True, retry_after=seconds)

    def _wait_param(self, request: Request) -> float | None:
        wait = query_int(request, "wait", low=1, high=25)
        if wait is None or self.config.long_poll == 0:
            return None
        return float(min(wait, self.config.long_poll))

    def _checked_ref(self, value: str) -> str:
        if not _REF_RE.match(value):
            raise ApiError(404, "NOT_FOUND")
        return value

    async def _binding_json(self, row: RowMapping) -> dict[str, Any]:
        async with self.backend.db.read() as conn:
            spent = await spending(
                conn, row["ref"], rules_for(row["wallet"]), self.backend.clock.now()
            )
        return binding_view(row, spent)

    async def _session_json(self, request: Request, row: RowMapping) -> dict[str, Any]:
        binding = await self.backend.bind_sessions.binding_of(row)
        return session_view(
            row,
            await self._binding_json(binding) if binding is not None else None,
            now=self.backend.clock.now(),
            long_poll=self.config.long_poll,
            language=language_of(request),
        )

    def _purchase_json(self, request: Request, row: RowMapping) -> dict[str, Any]:
        return purchase_view(
            row,
            self.backend.catalog,
            language=language_of(request),
            long_poll=self.config.long_poll,
            interval=_PURCHASE_INTERVAL,
        )

    # ------------------------------------------------------------------ enrolment
    async def enrol(self, request: Request) -> Response:
        """POST /v1/devices: enrol a device, answer its credential once."""
        data = await read_json(request, self.limit)
        token = data.get("enrolment_token")
        if token is not None and not isinstance(token, str):
            raise ApiError(400, "VALIDATION_ERROR", field="enrolment_token")
        name = text_field(data, "name", max_len=100, required=False) or "Device"
        platform = text_field(data, "platform", max_len=64, required=False) or "unknown"
        version = text_field(data, "app_version", max_len=32, required=False) or "unknown"
        row, credential = await self.backend.devices.enrol(
            token=token,
            client_host=request.client.host if request.client else None,
            name=name,
            platform=platform,
            app_version=version,
        )
        body = {
            "device_id": row["id"],
            "credential": credential,
            "created_at": iso(row["created_at"]),
        }
        return json_response(body, 201)

    # ------------------------------------------------------------------ catalog
    async def catalog(self, request: Request) -> Response:
        """GET /v1/catalog."""
        await self._device_of(request)
        return json_response(catalog_view(self.backend.catalog))

    async def image(self, request: Request) -> Response:
        """GET /v1/catalog/images/{name}: a product image (no credential needed)."""
        path = self.backend.catalog.image_path(str(request.path_params["name"]))
        if path is None or not path.is_file():
            return json_response(
                {"error": {"code": "NOT_FOUND", "message": "Not found.", "retryable": False}}, 404
            )
        return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})

    # ------------------------------------------------------------------ bind sessions
    async def create_session(self, request: Request) -> Response:
        """POST /v1/bind-sessions: consult Antom and answer the QR."""
        device_id = await self._device_of(request)
        data = await read_json(request, self.limit)
        wallet = data.get("wallet")
        # A JSON list or object here is unhashable: checked first, or `in` raised TypeError
        # and the device got a 500 (found by tests/fuzz/test_device_api.py).
        if not isinstance(wallet, str) or wallet not in {item.value for item in Wallet}:
            raise ApiError(400, "VALIDATION_ERROR", field="wallet")
        self._rate("bind", device_id)
        row = await self.backend.bind_sessions.create(device_id, str(wallet))
        return json_response(await self._session_json(request, row), 201)

    async def get_session(self, request: Request) -> Response:
        """GET /v1/bind-sessions/{id}: the session; long-polls with ?wait=N."""
        device_id = await self._device_of(request)
        session_id = self._checked_ref(request.path_params["id"])
        wait = self._wait_param(request)
        self._rate("poll", device_id)
        row = await self.backend.bind_sessions.get(device_id, session_id, wait)
        return json_response(await self._session_json(request, row))

    async def cancel_session(self, request: Request) -> Response:
        """DELETE /v1/bind-sessions/{id}: the device gave up."""
        device_id = await self._device_of(request)
        row = await self.backend.bind_sessions.cancel(
            device_id, self._checked_ref(request.path_params["id"])
        )
        return json_response(await self._session_json(request, row))

    # ------------------------------------------------------------------ bindings
    async def get_binding(self, request: Request) -> Response:
        """GET /v1/bindings/{ref}."""
        device_id = await self._device_of(request)
        row = await self.backend.bindings.get(
            device_id, self._checked_ref(request.path_params["ref"])
        )
        return json_response(await self._binding_json(row))

    async def delete_binding(self, request: Request) -> Response:
        """DELETE /v1/bindings/{ref}: unbind (revoke at Antom)."""
        device_id = await self._device_of(request)
        row = await self.backend.bindings.revoke(
            device_id, self._checked_ref(request.path_params["ref"])
        )
        return json_response(await self._binding_json(row))

    # ------------------------------------------------------------------ purchases
    async def create_purchase(self, request: Request) -> Response:
        """POST /v1/purchases: one purchase per Idempotency-Key."""
        device_id = await self._device_of(request)
        key = request.headers.get("idempotency-key", "")
        if not _KEY_RE.match(key):
            raise ApiError(400, "VALIDATION_ERROR", field="Idempotency-Key")
        data = await read_json(request, self.limit)
        binding = text_field(data, "binding", max_len=64)
        product_id = text_field(data, "product_id", max_len=64)
        amount = _amount(data.get("amount"))
        row, created = await self.backend.purchases.create(
            device_id, key, str(binding), str(product_id), amount
        )
        return json_response(self._purchase_json(request, row), 201 if created else 200)

    async def get_purchase(self, request: Request) -> Response:
        """GET /v1/purchases/{id}: the purchase; long-polls with ?wait=N."""
        device_id = await self._device_of(request)
        purchase_id = self._checked_ref(request.path_params["id"])
        wait = self._wait_param(request)
        self._rate("poll", device_id)
        row = await self.backend.purchases.get(device_id, purchase_id, wait)
        return json_response(self._purchase_json(request, row))

    async def list_purchases(self, request: Request) -> Response:
        """GET /v1/purchases: this device's history, newest first."""
        device_id = await self._device_of(request)
        binding = request.query_params.get("binding")
        if binding is not None:
            await self.backend.bindings.get(device_id, self._checked_ref(binding))
        count = query_int(request, "limit", low=1, high=100) or 20
        before = query_int(request, "before", low=1, high=2**62)
        rows, cursor = await self.backend.purchases.history(
            device_id, binding, limit=count, before=before
        )
        return json_response(
            {
                "purchases": [self._purchase_json(request, row) for row in rows],
                "next": str(cursor) if cursor is not None else None,
            }
        )

    def routes(self) -> list[Route]:
        """The routes, each handler guarded by the error envelope."""
        table = [
            ("/v1/devices", self.enrol, "POST"),
            ("/v1/catalog", self.catalog, "GET"),
            ("/v1/bind-sessions", self.create_session, "POST"),
            ("/v1/bind-sessions/{id}", self.get_session, "GET"),
            ("/v1/bind-sessions/{id}", self.cancel_session, "DELETE"),
            ("/v1/bindings/{ref}", self.get_binding, "GET"),
            ("/v1/bindings/{ref}", self.delete_binding, "DELETE"),
            ("/v1/purchases", self.create_purchase, "POST"),
            ("/v1/purchases", self.list_purchases, "GET"),
            ("/v1/purchases/{id}", self.get_purchase, "GET"),
        ]
        routes = [
            Route(path, guarded(handler), methods=[method]) for path, handler, method in table
        ]
        routes.append(Route("/v1/catalog/images/{name}", self.image, methods=["GET"]))
        return routes


def _amount(raw: Any) -> Money:
    if not isinstance(raw, dict):
        raise ApiError(400, "VALIDATION_ERROR", field="amount")
    currency, value = raw.get("currency"), raw.get("value")
    if not isinstance(currency, str) or not _CURRENCY_RE.match(currency):
        raise ApiError(400, "VALIDATION_ERROR", field="amount.currency")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, "VALIDATION_ERROR", field="amount.value")
    try:
        return Money(value, currency)
    except MoneyError:
        raise ApiError(400, "VALIDATION_ERROR", field="amount") from None
