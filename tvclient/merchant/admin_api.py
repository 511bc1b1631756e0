"""The admin HTTP API (`/admin/v1`), authenticated by the operator's admin token.

The same operations as the `tvclient merchant ...` commands: list and inspect purchases and
bindings, refund, inquire a refund, cancel, declare and inquire declarations, unbind.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tvclient.merchant.backend import Backend
from tvclient.merchant.errors import AfterSaleError, ApiError
from tvclient.merchant.views import (
    binding_admin_view,
    purchase_admin_view,
    refund_view,
)
from tvclient.merchant.web import guarded, json_response, query_int, read_json, text_field
from tvclient.money import Money, MoneyError

__all__ = ["AdminApi"]

_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _refused(exc: AfterSaleError) -> Response:
    status = 404 if exc.code == "NOT_FOUND" else 409
    return json_response(
        {"error": {"code": exc.code, "message": str(exc), "retryable": False}}, status
    )


class AdminApi:
    """Operator endpoints for one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _authorise(self, request: Request) -> None:
        token = self.backend.config.admin_token
        if not token:
            raise ApiError(404, "NOT_FOUND", detail="the admin API is disabled (no admin token)")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode("utf-8"), token.encode("utf-8")
        ):
            raise ApiError(401, "UNAUTHENTICATED")

    @staticmethod
    def _id(request: Request, name: str) -> str:
        value = str(request.path_params[name])
        if not _ID_RE.match(value):
            raise ApiError(404, "NOT_FOUND")
        return value

    async def purchases(self, request: Request) -> Response:
        """GET /admin/v1/purchases?state=&binding=&limit=&before=."""
        self._authorise(request)
        limit = query_int(request, "limit", low=1, high=500) or 50
        before = query_int(request, "before", low=1, high=2**62)
        rows, cursor = await self.backend.purchases.history(
            None,
            request.query_params.get("binding"),
            limit=limit,
            before=before,
            state=request.query_params.get("state"),
        )
        return json_response(
            {"purchases": [purchase_admin_view(row) for row in rows], "next": cursor}
        )

    async def purchase(self, request: Request) -> Response:
        """GET /admin/v1/purchases/{id}: with its refunds."""
        self._authorise(request)
        purchase_id = self._id(request, "id")
        row = await self.backend.purchases.get(None, purchase_id, None)
        refunds = await self.backend.after_sale.refunds_of(purchase_id)
        return json_response(purchase_admin_view(row, refunds))

    async def refund(self, request: Request) -> Response:
        """POST /admin/v1/purchases/{id}/refunds {amount?, reason?}."""
        self._authorise(request)
        purchase_id = self._id(request, "id")
        data = await read_json(request, self.backend.config.max_body_bytes)
        amount = _amount(data.get("amount")) if data.get("amount") is not None else None
        reason = text_field(data, "reason", max_len=256, required=False)
        try:
            row = await self.backend.after_sale.refund(purchase_id, amount, reason)
        except AfterSaleError as exc:
            return _refused(exc)
        return json_response(refund_view(row), 201)

    async def refund_status(self, request: Request) -> Response:
        """GET /admin/v1/refunds/{id}: asks Antom (inquiryRefund) and answers the refund."""
        self._authorise(request)
        try:
            row, status = await self.backend.after_sale.inquire_refund(self._id(request, "id"))
        except AfterSaleError as exc:
            return _refused(exc)
        view = refund_view(row)
        view["antom_refund_status"] = status
        return json_response(view)

    async def cancel(self, request: Request) -> Response:
        """POST /admin/v1/purchases/{id}/cancel."""
        self._authorise(request)
        try:
            row = await self.backend.after_sale.cancel(self._id(request, "id"))
        except AfterSaleError as exc:
            return _refused(exc)
        return json_response(purchase_admin_view(row))

    async def declare(self, request: Request) -> Response:
        """POST /admin/v1/purchases/{id}/declarations {amount, customs_code, region, ...}."""
        self._authorise(request)
        data = await read_json(request, self.backend.config.max_body_bytes)
        amount = _amount(data.get("amount"))
        fields = {
            name: text_field(data, name, max_len=256)
            for name in ("customs_code", "region", "merchant_customs_code", "merchant_customs_name")
        }
        split = data.get("split_order", False)
        if not isinstance(split, bool):
            raise ApiError(400, "VALIDATION_ERROR", field="split_order")
        try:
            row = await self.backend.after_sale.declare(
                self._id(request, "id"),
                amount=amount,
                customs_code=str(fields["customs_code"]),
                region=str(fields["region"]),
                merchant_customs_code=str(fields["merchant_customs_code"]),
                merchant_customs_name=str(fields["merchant_customs_name"]),
                split_order=split,
                sub_order_id=text_field(data, "sub_order_id", max_len=64, required=False),
            )
        except AfterSaleError as exc:
            return _refused(exc)
        return json_response(refund_view(row), 201)

    async def declarations(self, request: Request) -> Response:
        """GET /admin/v1/declarations?ids=a,b: inquiryDeclarationRequests."""
        self._authorise(request)
        ids = [item for item in request.query_params.get("ids", "").split(",") if item]
        try:
            records = await self.backend.after_sale.inquire_declarations(ids)
        except AfterSaleError as exc:
            return _refused(exc)
        return json_response({"declarations": records})

    async def bindings(self, request: Request) -> Response:
        """GET /admin/v1/bindings?state=."""
        self._authorise(request)
        limit = query_int(request, "limit", low=1, high=500) or 100
        rows = await self.backend.bindings.find(
            state=request.query_params.get("state"), limit=limit
        )
        return json_response({"bindings": [binding_admin_view(row) for row in rows]})

    async def binding(self, request: Request) -> Response:
        """GET /admin/v1/bindings/{ref}."""
        self._authorise(request)
        row = await self.backend.bindings.get(None, self._id(request, "ref"))
        return json_response(binding_admin_view(row))

    async def unbind(self, request: Request) -> Response:
        """DELETE /admin/v1/bindings/{ref}: revoke at Antom."""
        self._authorise(request)
        row = await self.backend.bindings.revoke(None, self._id(request, "ref"))
        return json_response(binding_admin_view(row))

    def routes(self) -> list[Route]:
        """The admin routes."""
        table = [
            ("/admin/v1/purchases", self.purchases, "GET"),
            ("/admin/v1/purchases/{id}", self.purchase, "GET"),
            ("/admin/v1/purchases/{id}/refunds", self.refund, "POST"),
            ("/admin/v1/purchases/{id}/cancel", self.cancel, "POST"),
            ("/admin/v1/purchases/{id}/declarations", self.declare, "POST"),
            ("/admin/v1/refunds/{id}", self.refund_status, "GET"),
            ("/admin/v1/declarations", self.declarations, "GET"),
            ("/admin/v1/bindings", self.bindings, "GET"),
            ("/admin/v1/bindings/{ref}", self.binding, "GET"),
            ("/admin/v1/bindings/{ref}", self.unbind, "DELETE"),
        ]
        return [Route(path, guarded(handler), methods=[method]) for path, handler, method in table]


def _amount(raw: Any) -> Money:
    if not isinstance(raw, dict):
        raise ApiError(400, "VALIDATION_ERROR", field="amount")
    value, currency = raw.get("value"), raw.get("currency")
    if isinstance(value, bool) or not isinstance(value, int) or not isinstance(currency, str):
        raise ApiError(400, "VALIDATION_ERROR", field="amount")
    try:
        return Money(value, currency)
    except MoneyError:
        raise ApiError(400, "VALIDATION_ERROR", field="amount") from None
