"""Operator controls over HTTP, under `/operator/v1`, with their own bearer token.

Every request needs `Authorization: Bearer <operator token>`; answers are JSON. Errors are
`{"error": {"code", "message"}}` with a 4xx status. Lists are newest first (at most
`?limit=`, default 200). Times are ISO 8601 (GMT+8) on the sandbox clock; amounts are
integer minor units with their currency. Tokens and auth codes are never listed.

    GET    /operator/v1/status                      clock, time scale, counts
    GET    /operator/v1/clients                     merchant clients and their notify URLs
    PUT    /operator/v1/clients/{id}/notify-urls    {authorization?, payment?, refund?}
    GET    /operator/v1/buyers                      test buyers and balances
    PUT    /operator/v1/buyers/{id}/balance         {value: minor units}
    GET    /operator/v1/qrs                         QRs from consult (?status=PENDING)
    POST   /operator/v1/approve                     {codeValue, buyerId?, decision?}
    GET    /operator/v1/bindings                    buyer-merchant agreements
    POST   /operator/v1/bindings/{id}/unlink        as the buyer, in the wallet
    GET    /operator/v1/payments                    payments
    GET    /operator/v1/refunds                     refunds
    GET    /operator/v1/declarations                customs declarations
    GET    /operator/v1/notifications               notifications and their delivery
    GET    /operator/v1/faults                      armed faults
    POST   /operator/v1/faults                      {target, kind, count?, seconds?, status?,
                                                    outcome?, processed?}
    DELETE /operator/v1/faults                      disarm all
    DELETE /operator/v1/faults/{id}                 disarm one
    POST   /operator/v1/reports                     {date: YYYY-MM-DD}: write that day's reports
    GET    /operator/v1/reports                     list report files
    GET    /operator/v1/reports/v1/settlements/...  one report file (text/csv)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.datadir import OPERATOR_PREFIX
from tvclient.sandbox.errors import OperatorError
from tvclient.sandbox.faults import FaultSpec
from tvclient.sandbox.settings import NotifyUrls
from tvclient.sandbox.store import Row
from tvclient.sandbox.times import iso
from tvclient.sandbox.wallet_page import answer_qr

__all__ = ["OperatorApi"]

_MAX_BODY = 16 * 1024
_TIME_COLUMNS = frozenset({
    "created_at", "expires_at", "decided_at", "paid_at", "settle_at", "cancelled_at",
    "refund_time", "revoked_at", "refresh_expires_at", "next_at", "last_attempt_at",
    "delivered_at",
})
Endpoint = Callable[[Request], Awaitable[Any]]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _rows(rows: Iterable[Row], drop: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for key in row.keys():  # noqa: SIM118 - sqlite3.Row has no __iter__ over keys
            if key in drop:
                continue
            value = row[key]
            if key in _TIME_COLUMNS and value is not None:
                value = iso(int(value))
            elif isinstance(value, bytes):
                value = value.decode("utf-8", errors="replace")
            item[_camel(key)] = value
        out.append(item)
    return out


class OperatorApi:
    """The operator endpoints of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._token = sandbox.identity.operator_token.encode()

    def routes(self) -> list[BaseRoute]:
        """The Starlette routes."""
        p = OPERATOR_PREFIX
        table: list[tuple[str, Endpoint, list[str]]] = [
            ("/status", self.status, ["GET"]),
            ("/clients", self.clients, ["GET"]),
            ("/clients/{client_id}/notify-urls", self.set_notify_urls, ["PUT"]),
            ("/buyers", self.buyers, ["GET"]),
            ("/buyers/{buyer_id}/balance", self.set_balance, ["PUT"]),
            ("/qrs", self.qrs, ["GET"]),
            ("/approve", self.approve, ["POST"]),
            ("/bindings", self.bindings, ["GET"]),
            ("/bindings/{binding_id}/unlink", self.unlink, ["POST"]),
            ("/payments", self.payments, ["GET"]),
            ("/refunds", self.refunds, ["GET"]),
            ("/declarations", self.declarations, ["GET"]),
            ("/notifications", self.notifications, ["GET"]),
            ("/faults", self.faults, ["GET", "POST", "DELETE"]),
            ("/faults/{fault_id:int}", self.remove_fault, ["DELETE"]),
            ("/reports", self.reports, ["GET", "POST"]),
            ("/reports/{path:path}", self.report_file, ["GET"]),
        ]
        return [Route(p + path, self._guarded(fn), methods=methods) for path, fn, methods in table]

    def _guarded(self, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            try:
                self._authorize(request)
                result = await endpoint(request)
            except OperatorError as exc:
                return JSONResponse(
                    {"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status
                )
            if isinstance(result, Response):
                return result
            return JSONResponse(result)

        return guarded

    def _authorize(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), self._token
        ):
            raise OperatorError(401, "UNAUTHORIZED", "a valid operator bearer token is required")

    @staticmethod
    async def _json(request: Request) -> Any:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_BODY:
                raise OperatorError(413, "TOO_LARGE", "the body is too large")
        try:
            return json.loads(body.decode("utf-8")) if body else {}
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise OperatorError(400, "BAD_REQUEST", "the body must be JSON") from None

    @staticmethod
    def _limit(request: Request) -> int:
        text = request.query_params.get("limit", "200")
        if not text.isdigit() or not 1 <= int(text) <= 10_000:
            raise OperatorError(400, "BAD_REQUEST", "limit must be 1-10000")
        return int(text)

    # ------------------------------------------------------------------ endpoints
    async def status(self, _request: Request) -> dict[str, Any]:
        """What the sandbox is and how much it holds."""
        sb = self._sandbox
        count = sb.store.scalar
        return {
            "now": iso(sb.now_ms()),
            "timeScale": getattr(sb.clock, "factor", 1.0),
            "clientId": sb.identity.client_id,
            "merchantId": sb.identity.merchant_id,
            "retryNotifications": sb.settings.retry_notifications,
            "counts": {
                table: int(count(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608 - fixed names
                for table in ("consults", "bindings", "payments", "refunds", "notifications",
                              "faults")
            },
        }

    async def clients(self, _request: Request) -> dict[str, Any]:
        """Merchant clients (public keys included, as the dashboard shows them)."""
        rows = self._sandbox.store.all("SELECT * FROM clients ORDER BY created_at")
        return {"clients": _rows(rows)}

    async def set_notify_urls(self, request: Request) -> dict[str, Any]:
        """Set a client's default notification URLs (null or "" clears one)."""
        data = await self._json(request)
        if not isinstance(data, dict):
            raise OperatorError(400, "BAD_REQUEST", "the body must be a JSON object")
        client_id = request.path_params["client_id"]
        sb = self._sandbox
        row = sb.store.one("SELECT * FROM clients WHERE client_id = ?", (client_id,))
        if row is None:
            raise OperatorError(404, "NOT_FOUND", "no such client")
        current = {
            "authorization": row["auth_notify_url"],
            "payment": row["payment_notify_url"],
            "refund": row["refund_notify_url"],
        }
        for key in current:
            if key in data:
                value = data[key]
                if value not in (None, "") and not isinstance(value, str):
                    raise OperatorError(400, "BAD_REQUEST", f"{key} must be a URL or null")
                current[key] = value or None
        try:
            urls = NotifyUrls(**current)
        except ValueError as exc:
            raise OperatorError(400, "BAD_REQUEST", str(exc)) from None
        with sb.store.transaction():
            sb.store.execute(
                "UPDATE clients SET auth_notify_url = ?, payment_notify_url = ?, "
                "refund_notify_url = ? WHERE client_id = ?",
                (urls.authorization, urls.payment, urls.refund, client_id),
            )
        return {"clientId": client_id, "notifyUrls": current}

    async def buyers(self, _request: Request) -> dict[str, Any]:
        """Test buyers and their balances."""
        return {"buyers": _rows(self._sandbox.buyers.all())}

    async def set_balance(self, request: Request) -> dict[str, Any]:
        """Set a buyer's balance: `{"value": "500000"}` in minor units of the buyer's currency."""
        data = await self._json(request)
        value = data.get("value") if isinstance(data, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.isascii() or not value.isdigit() or (
            len(value) > 16
        ):
            raise OperatorError(400, "BAD_REQUEST", "value must be minor units, e.g. \"500000\"")
        sb = self._sandbox
        buyer_id = request.path_params["buyer_id"]
        buyer = sb.buyers.get(buyer_id)
        if buyer is None:
            raise OperatorError(404, "NOT_FOUND", "no such buyer")
        if buyer["currency"] == "IDR" and int(value) % 100:
            raise OperatorError(400, "BAD_REQUEST", "IDR values end in 00")
        with sb.store.transaction():
            sb.buyers.set_balance(buyer_id, int(value))
        updated = sb.buyers.get(buyer_id)
        assert updated is not None  # noqa: S101 - exists, checked above
        return _rows([updated])[0]

    async def qrs(self, request: Request) -> dict[str, Any]:
        """QRs made by consult (`?status=PENDING|AGREED|DECLINED|LAPSED`)."""
        sb = self._sandbox
        sb.auths.lapse_due(sb.now_ms())
        status = request.query_params.get("status")
        limit = self._limit(request)
        if status:
            rows = sb.store.all(
                "SELECT * FROM consults WHERE status = ? ORDER BY created_at DESC LIMIT ?",
                (status.upper(), limit),
            )
        else:
            rows = sb.store.all(
                "SELECT * FROM consults ORDER BY created_at DESC LIMIT ?", (limit,)
            )
        items = _rows(rows)
        for item in items:
            item["codeValue"] = sb.auths.qr_url(item.pop("code"))
            item["scopes"] = json.loads(item["scopes"])
        return {"qrs": items}

    async def approve(self, request: Request) -> dict[str, Any]:
        """Answer a pending QR on a buyer's behalf (agree by default)."""
        return answer_qr(self._sandbox, await self._json(request))

    async def bindings(self, request: Request) -> dict[str, Any]:
        """Buyer-merchant agreements (refresh tokens are not shown)."""
        rows = self._sandbox.store.all(
            "SELECT * FROM bindings ORDER BY created_at DESC LIMIT ?", (self._limit(request),)
        )
        return {"bindings": _rows(rows, drop=frozenset({"refresh_token"}))}

    async def unlink(self, request: Request) -> dict[str, Any]:
        """Unlink as the buyer would in the wallet (TOKEN_CANCELED to the merchant)."""
        sb = self._sandbox
        return sb.auths.unlink(request.path_params["binding_id"], None, sb.now_ms())

    async def payments(self, request: Request) -> dict[str, Any]:
        """Payments, newest first (access tokens are not shown)."""
        rows = self._sandbox.payments.list(self._limit(request))
        return {"payments": _rows(rows, drop=frozenset({"access_token"}))}

    async def refunds(self, request: Request) -> dict[str, Any]:
        """Refunds, newest first."""
        return {"refunds": _rows(self._sandbox.refunds.list(self._limit(request)))}

    async def declarations(self, request: Request) -> dict[str, Any]:
        """Customs declarations, newest first."""
        return {"declarations": _rows(self._sandbox.customs.list(self._limit(request)))}

    async def notifications(self, request: Request) -> dict[str, Any]:
        """Notifications and their delivery state, newest first."""
        rows = self._sandbox.outbox.all(self._limit(request))
        items = _rows(rows)
        for item in items:
            with contextlib.suppress(ValueError):
                item["body"] = json.loads(item["body"])
            if isinstance(item["body"], dict):
                for secret in ("authCode", "accessToken"):
                    if secret in item["body"]:
                        item["body"][secret] = "<redacted>"
        return {"notifications": items}

    async def faults(self, request: Request) -> dict[str, Any]:
        """List (GET), arm (POST) or disarm all (DELETE) faults."""
        sb = self._sandbox
        if request.method == "POST":
            spec = FaultSpec.from_json(await self._json(request))
            return {"fault": sb.faults.add(spec, sb.now_ms()).to_json()}
        if request.method == "DELETE":
            return {"removed": sb.faults.clear()}
        return {"faults": [fault.to_json() for fault in sb.faults.all()]}

    async def remove_fault(self, request: Request) -> dict[str, Any]:
        """Disarm one fault."""
        if not self._sandbox.faults.remove(int(request.path_params["fault_id"])):
            raise OperatorError(404, "NOT_FOUND", "no such armed fault")
        return {"removed": 1}

    async def reports(self, request: Request) -> dict[str, Any]:
        """List report files (GET) or write one day's reports (POST `{date}`)."""
        sb = self._sandbox
        if request.method == "POST":
            data = await self._json(request)
            text = data.get("date") if isinstance(data, dict) else None
            try:
                day = dt.date.fromisoformat(text) if isinstance(text, str) else None
            except ValueError:
                day = None
            if day is None:
                raise OperatorError(400, "BAD_REQUEST", "date must be YYYY-MM-DD")
            files = sb.reports.generate(day)
            return {"date": day.isoformat(), "files": [path.as_posix() for path in files]}
        return {"files": [path.as_posix() for path in sb.reports.files()]}

    async def report_file(self, request: Request) -> Response:
        """One report file by its path below the data dir (`v1/settlements/...`)."""
        path = self._sandbox.reports.resolve(request.path_params["path"])
        if path is None:
            raise OperatorError(404, "NOT_FOUND", "no such report file")
        return FileResponse(path, media_type="text/csv; charset=utf-8", filename=path.name)
