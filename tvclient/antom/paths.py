"""Antom API paths, the sandbox path rule, and routing a path back to its API."""

from __future__ import annotations

from enum import StrEnum

from tvclient.antom.errors import UnknownApiError

__all__ = [
    "ASIA",
    "EUROPE",
    "LIVE_PREFIX",
    "NORTH_AMERICA",
    "SANDBOX_CLIENT_PREFIX",
    "SANDBOX_PREFIX",
    "Api",
    "api_for_path",
    "is_sandbox_client",
    "path_for",
]

LIVE_PREFIX = "/ams/api"
SANDBOX_PREFIX = "/ams/sandbox/api"
SANDBOX_CLIENT_PREFIX = "SANDBOX_"

# Antom's recommended regional domains (reference §2.1); the sandbox is a path, not a domain.
ASIA = "https://open-sea-global.alipay.com"
NORTH_AMERICA = "https://open-na-global.alipay.com"
EUROPE = "https://open-de-global.alipay.com"


class Api(StrEnum):
    """The Antom APIs a merchant calls; the value is the path below `/ams/api`."""

    CONSULT = "/v1/authorizations/consult"
    APPLY_TOKEN = "/v1/authorizations/applyToken"  # noqa: S105 - a path, not a secret
    REVOKE = "/v1/authorizations/revoke"
    PAY = "/v1/payments/pay"
    INQUIRY_PAYMENT = "/v1/payments/inquiryPayment"
    CANCEL = "/v1/payments/cancel"
    REFUND = "/v1/payments/refund"
    INQUIRY_REFUND = "/v1/payments/inquiryRefund"
    DECLARE = "/v1/customs/declare"
    INQUIRY_DECLARATION_REQUESTS = "/v1/customs/inquiryDeclarationRequests"

    @property
    def api_name(self) -> str:
        """Antom's name for the API (`inquiryPayment`), used in logs."""
        return self.value.rsplit("/", 1)[1]

    @property
    def live_path(self) -> str:
        """The production path, e.g. `/ams/api/v1/payments/pay`."""
        return LIVE_PREFIX + self.value

    @property
    def sandbox_path(self) -> str:
        """The sandbox path, e.g. `/ams/sandbox/api/v1/payments/pay`."""
        return SANDBOX_PREFIX + self.value


def is_sandbox_client(client_id: str) -> bool:
    """Whether a client ID is a sandbox one (starts with `SANDBOX_`), as the SDKs decide."""
    return client_id.startswith(SANDBOX_CLIENT_PREFIX)


def path_for(api: Api, client_id: str) -> str:
    """The path to send and sign for `api`: the sandbox path for `SANDBOX_` client IDs."""
    return api.sandbox_path if is_sandbox_client(client_id) else api.live_path


def api_for_path(path: str) -> Api:
    """The API a request path addresses, under `/ams/api` or `/ams/sandbox/api`.

    A query string and one trailing slash are ignored.

    Raises:
        UnknownApiError: the path is not one of the covered Antom APIs.
    """
    bare = path.split("?", 1)[0]
    if bare.endswith("/") and len(bare) > 1:
        bare = bare[:-1]
    for prefix in (LIVE_PREFIX, SANDBOX_PREFIX):
        if bare.startswith(prefix + "/"):
            try:
                return Api(bare[len(prefix) :])
            except ValueError:
                break
    raise UnknownApiError(f"no Antom API at {path!r}")
