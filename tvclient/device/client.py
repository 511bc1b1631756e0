"""The merchant backend's device API (`/v1`, docs/device-api.md) as typed async calls.

`MerchantClient` wraps an injected `httpx.AsyncClient` (the caller owns and closes it), or
builds one from an injected factory at its first request (then it owns it: `aclose()`). Each
call returns a typed result from `tvclient.device.models` or raises from the tree in
`tvclient.device.errors`: `ApiError` subclasses for the backend's error envelope,
`NetworkError` when there was no answer, `ProtocolError` when the answer breaks the contract.
No call retries by itself; waiting and retrying is the job of `tvclient.device.waiting` and the
flows, which know what a retry may cost.

httpx is imported at the first request, not with this module: the device app shows its home
screen before the HTTP stack (~40 ms of imports) is loaded (docs/app.md, "Cold start").
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from tvclient.device.errors import NetworkError, ProtocolError, RequestError, ServerError
from tvclient.device.models import (
    Binding,
    BindSession,
    CreatedPurchase,
    Enrolment,
    Product,
    Purchase,
    PurchasePage,
)
from tvclient.device.wire import (
    api_error,
    read_bind_session,
    read_binding,
    read_catalog,
    read_created_purchase,
    read_enrolment,
    read_purchase,
    read_purchase_page,
)
from tvclient.money import Money, Wallet

if TYPE_CHECKING:
    import httpx

__all__ = ["IDEMPOTENCY_KEY_RE", "MerchantClient", "normalise_backend_url", "purchase_body"]

_log = logging.getLogger(__name__)

IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A long-poll is held by the backend for up to `wait` seconds; the read timeout must outlast it.
_LONG_POLL_MARGIN = 10.0
_MAX_WAIT = 25
# The backend holds `POST /v1/purchases` up to 8 s for Antom's answer (device-api-changes #8).
_PURCHASE_HOLD = 8.0


def normalise_backend_url(url: str) -> str:
    """The backend URL in one canonical spelling (scheme and host lower case, no trailing /).

    Raises:
        ValueError: not an http(s) URL with a host.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"backend URL must be http(s)://host[:port][/path], not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"backend URL must not have a query or fragment: {url!r}")
    netloc = parts.hostname.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def _segment(value: str) -> str:
    return quote(value, safe="")


class MerchantClient:
    """Typed calls to the merchant backend's device API.

    Args:
        http: The HTTP client (the caller owns it; tests inject `httpx.MockTransport` or an
            ASGI transport), or a function making one at the first request (this client then
            owns it and `aclose()` closes it).
        base_url: The backend URL (`https://shop.example`); paths are appended to it.
        credential: The device credential, once enrolled (`credential` may be set later).
        language: The `Accept-Language` sent (`en`, `zh-HK`, `id`).
        timeout: Seconds before a call without `wait` counts as a network failure.
    """

    def __init__(
        self,
        http: httpx.AsyncClient | Callable[[], httpx.AsyncClient],
        base_url: str,
        *,
        credential: str | None = None,
        language: str = "en",
        timeout: float = 10.0,
    ) -> None:
        self._http: httpx.AsyncClient | None = None
        self._make_http: Callable[[], httpx.AsyncClient] | None = None
        if callable(http):  # an httpx client is not callable; a factory is
            self._make_http = http
        else:
            self._http = http
        self._base = normalise_backend_url(base_url)
        self._credential = credential
        self._language = language
        self._timeout = timeout

    async def aclose(self) -> None:
        """Close the HTTP client if this client built it (an injected one is the caller's)."""
        if self._make_http is not None and self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            if self._make_http is None:
                raise RuntimeError("the merchant client was closed")
            self._http = self._make_http()
        return self._http

    # ------------------------------------------------------------------ configuration
    @property
    def base_url(self) -> str:
        """The backend URL, normalised."""
        return self._base

    @property
    def credential(self) -> str | None:
        """The device credential sent as `Authorization: Bearer`, or None before enrolment."""
        return self._credential

    @credential.setter
    def credential(self, value: str | None) -> None:
        self._credential = value

    @property
    def language(self) -> str:
        """The language asked of the backend for its messages and titles."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        self._language = value

    # ------------------------------------------------------------------ enrolment
    async def enrol(
        self,
        *,
        name: str,
        platform: str,
        app_version: str,
        enrolment_token: str | None = None,
    ) -> Enrolment:
        """`POST /v1/devices`: enrol this device; the answer's credential is shown only once.

        Raises:
            AuthError: ENROLMENT_REFUSED (wrong or missing enrolment token).
        """
        body: dict[str, object] = {"name": name, "platform": platform, "app_version": app_version}
        if enrolment_token is not None:
            body["enrolment_token"] = enrolment_token
        _, data = await self._call("POST", "/v1/devices", json_body=body, auth=False)
        return read_enrolment(data)

    # ------------------------------------------------------------------ bind sessions
    async def create_bind_session(self, wallet: Wallet) -> BindSession:
        """`POST /v1/bind-sessions`: a new single-use QR for `wallet`."""
        _, data = await self._call("POST", "/v1/bind-sessions", json_body={"wallet": wallet.value})
        return read_bind_session(data)

    async def get_bind_session(self, session_id: str, *, wait: int | None = None) -> BindSession:
        """`GET /v1/bind-sessions/{id}`; with `wait` (1-25 s) the backend holds the request.

        Raises:
            SlowDownError: polled faster than the session's interval (without `wait`).
        """
        _, data = await self._call(
            "GET", f"/v1/bind-sessions/{_segment(session_id)}", wait=wait
        )
        return read_bind_session(data)

    async def cancel_bind_session(self, session_id: str) -> BindSession:
        """`DELETE /v1/bind-sessions/{id}`: the buyer gave up; the session ends FAILED/CANCELLED."""
        _, data = await self._call("DELETE", f"/v1/bind-sessions/{_segment(session_id)}")
        return read_bind_session(data)

    # ------------------------------------------------------------------ bindings
    async def get_binding(self, ref: str) -> Binding:
        """`GET /v1/bindings/{ref}`: the binding's current state and limits."""
        _, data = await self._call("GET", f"/v1/bindings/{_segment(ref)}")
        return read_binding(data)

    async def delete_binding(self, ref: str) -> Binding:
        """`DELETE /v1/bindings/{ref}`: unbind (revoked at Antom; harmless to repeat)."""
        _, data = await self._call("DELETE", f"/v1/bindings/{_segment(ref)}")
        return read_binding(data)

    # ------------------------------------------------------------------ catalog
    async def catalog(self) -> list[Product]:
        """`GET /v1/catalog`: what this device sells."""
        _, data = await self._call("GET", "/v1/catalog")
        return read_catalog(data)

    def image_url(self, url: str) -> str:
        """The absolute URL of a catalog image (`image_url` is relative to the backend URL).

        Raises:
            ValueError: an absolute URL on another host (the device fetches only its backend).
        """
        if "://" in url or url.startswith("//"):
            parts, base = urlsplit(url), urlsplit(self._base)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                raise ValueError(f"image URL {url!r} is not on the backend {self._base}")
            return url
        return f"{self._base}/{url.lstrip('/')}"

    async def image(self, url: str) -> bytes:
        """A catalog image's bytes (fetched without the credential, as the contract says).

        Raises:
            ProtocolError: the URL is not on the backend, or the answer is not an image.
        """
        try:
            target = self.image_url(url)
        except ValueError as exc:
            raise ProtocolError(str(exc)) from None
        response = await self._send("GET", target, headers={}, content=None, seconds=None)
        if response.status_code != 200:
            raise self._error(response)
        kind = response.headers.get("content-type", "")
        if not kind.startswith("image/"):
            raise ProtocolError(f"{target} is {kind or 'untyped'}, not an image", status=200)
        return response.content

    # ------------------------------------------------------------------ purchases
    async def create_purchase(
        self, key: str, *, binding: str, product_id: str, amount: Money
    ) -> CreatedPurchase:
        """`POST /v1/purchases` with `Idempotency-Key: key`.

        The same key with the same body answers the existing purchase (`created` False), in
        whatever state it is now; that is how a retry after a lost answer finds out.

        Raises:
            ValueError: `key` is not 1-64 of A-Z a-z 0-9 _ -.
            ConflictError: PRICE_CHANGED, BINDING_REVOKED, BINDING_EXPIRED, CURRENCY_MISMATCH,
                IDEMPOTENCY_KEY_REUSED (nothing was charged).
        """
        if not IDEMPOTENCY_KEY_RE.fullmatch(key):
            raise ValueError(f"idempotency key must be 1-64 of A-Z a-z 0-9 _ -, not {key!r}")
        body = purchase_body(binding=binding, product_id=product_id, amount=amount)
        status, data = await self._call(
            "POST",
            "/v1/purchases",
            json_body=body,
            headers={"Idempotency-Key": key},
            extra_time=_PURCHASE_HOLD,
        )
        return read_created_purchase(data, status)

    async def get_purchase(self, purchase_id: str, *, wait: int | None = None) -> Purchase:
        """`GET /v1/purchases/{id}`; with `wait` (1-25 s) held while PROCESSING."""
        _, data = await self._call("GET", f"/v1/purchases/{_segment(purchase_id)}", wait=wait)
        return read_purchase(data)

    async def purchases(
        self, *, binding: str | None = None, limit: int = 20, before: str | None = None
    ) -> PurchasePage:
        """`GET /v1/purchases`: this device's purchases (for `binding`), newest first."""
        params: dict[str, str] = {"limit": str(max(1, min(100, limit)))}
        if binding is not None:
            params["binding"] = binding
        if before is not None:
            params["before"] = before
        _, data = await self._call("GET", "/v1/purchases", params=params)
        return read_purchase_page(data)

    # ------------------------------------------------------------------ plumbing
    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        wait: int | None = None,
        auth: bool = True,
        extra_time: float = 0.0,
    ) -> tuple[int, object]:
        """Send one request; the JSON of a 2xx answer, or the typed error."""
        all_headers = {"Accept": "application/json", "Accept-Language": self._language}
        if auth and self._credential:
            all_headers["Authorization"] = f"Bearer {self._credential}"
        if headers:
            all_headers.update(headers)
        content: bytes | None = None
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json"
        query = dict(params or {})
        timeout: float | None = self._timeout + extra_time if extra_time else None
        if wait is not None:
            wait = max(1, min(_MAX_WAIT, int(wait)))
            query["wait"] = str(wait)
            timeout = wait + _LONG_POLL_MARGIN
        url = self._base + path
        if query:
            import httpx

            url = str(httpx.URL(url, params=query))
        response = await self._send(
            method, url, headers=all_headers, content=content, seconds=timeout
        )
        if not 200 <= response.status_code < 300:
            raise self._error(response)
        try:
            return response.status_code, response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ProtocolError(
                f"{method} {path} answered {response.status_code} without JSON",
                status=response.status_code,
            ) from None

    async def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        content: bytes | None,
        seconds: float | None,
    ) -> httpx.Response:
        import httpx

        http = self._client()
        limit = httpx.Timeout(seconds if seconds is not None else self._timeout)
        try:
            return await http.request(
                method, url, headers=dict(headers), content=content, timeout=limit
            )
        except httpx.TimeoutException as exc:
            raise NetworkError(
                f"{method} {_path_of(url)}: no answer in time ({type(exc).__name__})",
                timeout=True,
            ) from None
        except httpx.TransportError as exc:
            raise NetworkError(f"{method} {_path_of(url)}: {type(exc).__name__}: {exc}") from None

    def _error(self, response: httpx.Response) -> RequestError:
        data: Any
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = None
        error = api_error(response.status_code, data, response.headers)
        if error is not None:
            return error
        status = response.status_code
        if status >= 500:
            return ServerError(status, f"HTTP_{status}", "the backend answered without details")
        return ProtocolError(
            f"{response.request.method} {_path_of(str(response.request.url))} answered {status} "
            "without the error envelope",
            status=status,
        )


def purchase_body(*, binding: str, product_id: str, amount: Money) -> dict[str, object]:
    """The body of `POST /v1/purchases` (kept identical on every retry of one intent)."""
    return {
        "binding": binding,
        "product_id": product_id,
        "amount": {"currency": amount.currency, "value": amount.minor},
    }


def _path_of(url: str) -> str:
    # Query strings can carry a binding reference; logs and messages get the path only.
    return urlsplit(url).path
