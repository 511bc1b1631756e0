"""The device core's exception tree.

Every error carries a stable `code`: the backend's code from docs/device-api.md when the
backend answered, or one of the local codes below. Screens decide what to show from `code`
(see `tvclient.device.nextstep`), never from the message, which is for logs and operators.

::

    DeviceError
     +-- RequestError                 a call to the merchant backend did not succeed
     |    +-- ApiError                the backend's error envelope (`code`, `status`)
     |    |    +-- AuthError          401 UNAUTHENTICATED, 403 ENROLMENT_REFUSED
     |    |    +-- NotFoundError      404 NOT_FOUND
     |    |    +-- ConflictError      409 PRICE_CHANGED, IDEMPOTENCY_KEY_REUSED, BINDING_REVOKED,
     |    |    |                      BINDING_EXPIRED, CURRENCY_MISMATCH (`revoked_by`)
     |    |    +-- SlowDownError      400 SLOW_DOWN (`interval`)
     |    |    +-- RateLimitedError   429 RATE_LIMITED (`retry_after`)
     |    |    +-- ValidationError    400 VALIDATION_ERROR, 413 BODY_TOO_LARGE (`field`)
     |    |    +-- ServerError        5xx, 503 BACKEND_UNAVAILABLE
     |    +-- NetworkError            no answer at all: refused, reset, DNS, timeout (`timeout`)
     |    +-- ProtocolError           an answer that does not follow the contract
     +-- VaultError                   the binding vault cannot keep or give its secrets
     |    +-- KeyringUnavailableError no usable keyring backend; the message says how to fix it
     +-- SettingsError                the settings file cannot be read or written
     +-- NotBoundError                a purchase or history needs a binding and there is none
     +-- PurchasePendingError         an earlier purchase's outcome is not known yet

Local codes: `UNREACHABLE` (NetworkError), `PROTOCOL` (ProtocolError), `HTTP_<status>` (an
error status without the envelope), `KEYRING_UNAVAILABLE`, `VAULT`, `SETTINGS`,
`NOT_BOUND`, `PURCHASE_PENDING`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tvclient.money import Money, MoneyError

__all__ = [
    "ApiError",
    "AuthError",
    "ConflictError",
    "DeviceError",
    "KeyringUnavailableError",
    "NetworkError",
    "NotBoundError",
    "NotFoundError",
    "ProtocolError",
    "PurchasePendingError",
    "RateLimitedError",
    "RequestError",
    "ServerError",
    "SettingsError",
    "SlowDownError",
    "ValidationError",
    "VaultError",
]

_EMPTY: Mapping[str, object] = MappingProxyType({})


class DeviceError(Exception):
    """Base of every device-core error.

    Attributes:
        code: A stable code (the backend's, or a local one listed in the module docstring).
        retryable: Whether the same call may succeed later unchanged.
    """

    code: str = "DEVICE"
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The readable message."""
        return str(self)


class RequestError(DeviceError):
    """A call to the merchant backend did not give a usable answer."""


class ApiError(RequestError):
    """The backend answered with its error envelope.

    Attributes:
        status: The HTTP status.
        code: The envelope's stable `code`.
        retryable: The envelope's `retryable`.
        details: The envelope's extra members (`field`, `interval`, `retry_after`, ...).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str = "",
        *,
        retryable: bool = False,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}" + (f": {message}" if message else ""), code=code)
        self.status = status
        self.retryable = retryable
        self.details: Mapping[str, object] = (
            MappingProxyType(dict(details)) if details else _EMPTY
        )
        self.backend_message = message


class AuthError(ApiError):
    """The device is not recognised (UNAUTHENTICATED) or may not enrol (ENROLMENT_REFUSED)."""


class NotFoundError(ApiError):
    """No such session, binding, purchase or product for this device."""

    @property
    def field(self) -> str | None:
        """What was not found, when the backend says (`field`)."""
        value = self.details.get("field")
        return value if isinstance(value, str) else None


class ConflictError(ApiError):
    """The request conflicts with the backend's state (price changed, binding revoked...)."""

    @property
    def revoked_by(self) -> str | None:
        """Who unlinked the binding (`DEVICE` or `WALLET`), for BINDING_REVOKED."""
        value = self.details.get("revoked_by")
        return value if isinstance(value, str) else None

    @property
    def price(self) -> Money | None:
        """The product's current price, for PRICE_CHANGED (None when absent or malformed)."""
        value = self.details.get("price")
        if not isinstance(value, Mapping):
            return None
        currency, minor = value.get("currency"), value.get("value")
        if not isinstance(currency, str) or isinstance(minor, bool) or not isinstance(minor, int):
            return None
        try:
            return Money(minor, currency)
        except MoneyError:
            return None


class SlowDownError(ApiError):
    """Polled faster than the interval; `interval` is the new one (seconds)."""

    @property
    def interval(self) -> float | None:
        """The interval the backend asks for from now on, if it said."""
        return _seconds(self.details.get("interval"))


class RateLimitedError(ApiError):
    """Too many requests; wait `retry_after` seconds."""

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before the next request, if the backend said."""
        return _seconds(self.details.get("retry_after"))


class ValidationError(ApiError):
    """A field is missing or malformed (`field`), or the body is too large."""

    @property
    def field(self) -> str | None:
        """The offending field, when the backend names it."""
        value = self.details.get("field")
        return value if isinstance(value, str) else None


class ServerError(ApiError):
    """The backend cannot serve now (5xx); the same request may succeed later."""

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before retrying, if the backend said."""
        return _seconds(self.details.get("retry_after"))


class NetworkError(RequestError):
    """The backend could not be reached or did not answer in time.

    Attributes:
        timeout: The request timed out (as opposed to being refused or cut).
    """

    code = "UNREACHABLE"
    retryable = True

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class ProtocolError(RequestError):
    """The backend's answer does not follow the device API contract.

    Attributes:
        status: The HTTP status of the answer.
    """

    code = "PROTOCOL"
    # A proxy or captive portal answering for the backend produces this too; it may pass.
    retryable = True

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class VaultError(DeviceError):
    """The binding vault cannot keep or give back its secrets."""

    code = "VAULT"


class KeyringUnavailableError(VaultError):
    """No usable keyring backend; the message says what is wrong and how to fix it.

    Attributes:
        reason: What is wrong, in one clause.
        fix: How to fix it.
    """

    code = "KEYRING_UNAVAILABLE"

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"No usable keyring: {reason}. {fix}")
        self.reason = reason
        self.fix = fix


class SettingsError(DeviceError):
    """The settings file cannot be read or written (the message names the file)."""

    code = "SETTINGS"


class NotBoundError(DeviceError):
    """The device has no binding for this backend (bind a wallet first)."""

    code = "NOT_BOUND"


class PurchasePendingError(DeviceError):
    """A new purchase was refused because an earlier one's outcome is not known yet.

    Resume the pending purchase first (`AccountService.resume_pending`).

    Attributes:
        keys: The idempotency keys of the pending purchases.
    """

    code = "PURCHASE_PENDING"

    def __init__(self, keys: list[str]) -> None:
        super().__init__(
            f"{len(keys)} earlier purchase(s) still waiting for an answer; resume them first"
        )
        self.keys = keys


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None
