"""Notifications from Antom to the merchant: verify the signature, then parse by kind.

Antom signs a notification like a request: the signed path is the path of the merchant's own
notify URL (domain excluded), with the `client-id` and `request-time` headers and the raw body.
Whatever the content, the merchant answers `NOTIFICATION_SUCCESS_BODY` once it has recorded it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from tvclient.antom.errors import InvalidSignatureError, MessageError
from tvclient.antom.keys import RSAPublicKey
from tvclient.antom.messages.authorization import AuthorizationNotification
from tvclient.antom.messages.payment import PaymentNotification, PaymentNotifyType
from tvclient.antom.messages.refund import RefundNotification, RefundNotifyType
from tvclient.antom.signing import verify_notification

__all__ = ["Notification", "NotificationVerifier", "parse_notification"]

Notification = AuthorizationNotification | PaymentNotification | RefundNotification
"""Any of the three notifications."""

_PAYMENT_TYPES = frozenset(kind.value for kind in PaymentNotifyType)
_REFUND_TYPES = frozenset(kind.value for kind in RefundNotifyType)


def parse_notification(obj: object) -> Notification:
    """Parse a decoded notification body into its typed form, by what the body says it is.

    `authorizationNotifyType` makes it an authorization notification; `notifyType`
    PAYMENT_RESULT / PAYMENT_PENDING a payment one; REFUND_RESULT a refund one.

    Raises:
        MessageError: the body is no known notification or breaks the reference.
    """
    if not isinstance(obj, dict):
        raise MessageError("", "must be a JSON object")
    if obj.get("authorizationNotifyType") is not None:
        return AuthorizationNotification.from_json(obj)
    kind = obj.get("notifyType")
    if kind is None:
        raise MessageError("notifyType", "missing (and no authorizationNotifyType)")
    if not isinstance(kind, str):
        raise MessageError("notifyType", "must be a string")
    if kind in _PAYMENT_TYPES:
        return PaymentNotification.from_json(obj)
    if kind in _REFUND_TYPES:
        return RefundNotification.from_json(obj)
    known = ", ".join(sorted(_PAYMENT_TYPES | _REFUND_TYPES))
    raise MessageError("notifyType", f"must be one of {known} (got {kind[:40]!r})")


class NotificationVerifier:
    """Checks and parses notifications for one merchant (merchant side).

    Args:
        antom_public_key: Antom's public key (the sandbox's, against the sandbox).
        client_id: when given, notifications for another client ID are refused.
    """

    def __init__(self, antom_public_key: RSAPublicKey, *, client_id: str | None = None) -> None:
        self._key = antom_public_key
        self._client_id = client_id

    def verify(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> Notification:
        """Verify one received notification and return it typed.

        Args:
            method: the HTTP method received (POST).
            path: the path of the notify URL as Antom was given it, domain excluded.
            headers: the received headers (any case).
            body: the raw body bytes, exactly as received.

        Raises:
            SignatureError: headers missing or malformed, wrong client, or a bad signature.
            MessageError: the body is not a valid notification.
        """
        parts = verify_notification(self._key, method, path, headers, body)
        if self._client_id is not None and parts.client_id != self._client_id:
            raise InvalidSignatureError(
                f"notification is for client {parts.client_id!r}, not {self._client_id!r}"
            )
        try:
            obj = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise MessageError("", "body is not valid UTF-8 JSON") from None
        return parse_notification(obj)
