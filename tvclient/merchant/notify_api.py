"""Antom's notifications: notifyAuthorization, notifyPayment, notifyRefund.

Each is verified with Antom's public key over the path of our own notify URL, processed
idempotently, and answered with Antom's fixed success body. A bad signature, a malformed body
or an unknown `authState` / request ID is refused (logged, nothing changed): Antom re-sends,
which is right if the fault was ours and harmless if the message was not genuine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tvclient.antom.errors import MessageError, SignatureError
from tvclient.merchant.backend import NOTIFY_AUTHORIZATION, NOTIFY_PAYMENT, NOTIFY_REFUND, Backend
from tvclient.merchant.bind_sessions import AuthCodeOutcome
from tvclient.merchant.errors import ApiError
from tvclient.merchant.web import json_response, read_body

__all__ = ["SUCCESS_BODY", "NotifyApi"]

log = logging.getLogger(__name__)

SUCCESS_BODY = {
    "result": {"resultCode": "SUCCESS", "resultStatus": "S", "resultMessage": "success"}
}
_MAX_NOTIFICATION = 64 * 1024

Handler = Callable[[dict[str, Any]], Awaitable[bool]]


def _refusal(status: int, code: str, text: str) -> Response:
    return json_response(
        {"result": {"resultCode": code, "resultStatus": "F", "resultMessage": text}}, status
    )


class NotifyApi:
    """Receives Antom's notifications for one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.prefix = backend.config.notify_prefix

    async def _receive(self, request: Request, kind: str, path: str, handle: Handler) -> Response:
        metrics = self.backend.metrics
        try:
            body = await read_body(request, _MAX_NOTIFICATION)
        except ApiError:
            metrics.inc("tvclient_merchant_notifications_total", kind=kind, outcome="too_large")
            return _refusal(413, "PARAM_ILLEGAL", "notification too large")
        if self.backend.verifier is None:
            log.error("%s notification refused: no Antom public key configured", kind)
            return _refusal(503, "UNKNOWN_EXCEPTION", "not configured")
        try:
            self.backend.verifier.verify("POST", self.prefix + path, request.headers, body)
        except SignatureError as exc:
            log.warning("%s notification refused: %s", kind, exc)
            metrics.inc("tvclient_merchant_notifications_total", kind=kind, outcome="bad_signature")
            return _refusal(401, "INVALID_SIGNATURE", "signature verification failed")
        except MessageError as exc:
            log.warning("%s notification refused: malformed (%s)", kind, exc)
            metrics.inc("tvclient_merchant_notifications_total", kind=kind, outcome="malformed")
            return _refusal(400, "PARAM_ILLEGAL", "malformed notification")
        data = json.loads(body.decode("utf-8"))
        if not await handle(data):
            metrics.inc("tvclient_merchant_notifications_total", kind=kind, outcome="unknown")
            return _refusal(400, "PARAM_ILLEGAL", "not one of ours")
        metrics.inc("tvclient_merchant_notifications_total", kind=kind, outcome="accepted")
        return json_response(SUCCESS_BODY)

    async def _authorization(self, data: dict[str, Any]) -> bool:
        kind = data.get("authorizationNotifyType")
        if kind == "AUTHCODE_CREATED":
            auth_state, auth_code = data.get("authState"), data.get("authCode")
            if not isinstance(auth_state, str) or not isinstance(auth_code, str):
                log.warning("AUTHCODE_CREATED without authState/authCode refused")
                return False
            outcome = await self.backend.bind_sessions.on_auth_code(auth_state, auth_code, data)
            if outcome is AuthCodeOutcome.UNKNOWN:
                log.warning("AUTHCODE_CREATED for an unknown authState refused")
                return False
            log.info("AUTHCODE_CREATED %s", outcome.value)
            return True
        if kind == "TOKEN_CANCELED":
            token = data.get("accessToken")
            if not isinstance(token, str) or not await self.backend.bindings.on_token_canceled(
                token
            ):
                log.warning("TOKEN_CANCELED for an unknown token refused")
                return False
            return True
        log.info("authorization notification %s ignored", kind)
        return True

    async def _payment(self, data: dict[str, Any]) -> bool:
        if await self.backend.payments.on_notification(data):
            return True
        log.warning("payment notification for an unknown paymentRequestId refused")
        return False

    async def _refund(self, data: dict[str, Any]) -> bool:
        if await self.backend.after_sale.on_refund_notification(data):
            return True
        log.warning("refund notification for an unknown refundRequestId refused")
        return False

    async def authorization(self, request: Request) -> Response:
        """POST /antom/notify/authorization."""
        return await self._receive(
            request, "authorization", NOTIFY_AUTHORIZATION, self._authorization
        )

    async def payment(self, request: Request) -> Response:
        """POST /antom/notify/payment."""
        return await self._receive(request, "payment", NOTIFY_PAYMENT, self._payment)

    async def refund(self, request: Request) -> Response:
        """POST /antom/notify/refund."""
        return await self._receive(request, "refund", NOTIFY_REFUND, self._refund)

    async def authorized(self, request: Request) -> Response:  # noqa: ARG002 - fixed page
        """GET /antom/authorized: the consult redirect page (Scan to Link never sends phones)."""
        page = (
            "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            "<title>Linked</title><p style='font:1.2em sans-serif;margin:2em'>"
            "Your wallet is linked. You can close this page and return to your TV.</p>"
        )
        return Response(page, media_type="text/html; charset=utf-8")

    def routes(self) -> list[Route]:
        """The notification routes."""
        return [
            Route(NOTIFY_AUTHORIZATION, self.authorization, methods=["POST"]),
            Route(NOTIFY_PAYMENT, self.payment, methods=["POST"]),
            Route(NOTIFY_REFUND, self.refund, methods=["POST"]),
            Route("/antom/authorized", self.authorized, methods=["GET"]),
        ]
