"""Talking to a running sandbox over HTTP: the approve helper and an operator client.

`approve()` answers a QR the way a buyer's phone does (through the wallet page's JSON
endpoint, so it needs no token); `OperatorClient` calls the operator API with its token.
Both are what `tvclient sandbox ...` commands use, and what other parts (the booth's staff
key, end-to-end tests) can use to drive a sandbox in another process.
"""

from __future__ import annotations

from typing import Any

import httpx

from tvclient.sandbox.datadir import OPERATOR_PREFIX
from tvclient.sandbox.errors import RemoteError

__all__ = ["OperatorClient", "approve", "approve_async"]

_TIMEOUT = 15.0


def _answer(response: httpx.Response) -> Any:
    try:
        data = response.json()
    except ValueError:
        raise RemoteError(
            f"the sandbox answered HTTP {response.status_code} without JSON"
        ) from None
    if response.status_code >= 400:
        error = data.get("error", {}) if isinstance(data, dict) else {}
        raise RemoteError(
            f"{error.get('code', 'HTTP ' + str(response.status_code))}: "
            f"{error.get('message', 'refused')}"
        )
    return data


def _approve_body(code_value: str, buyer: str | None, decline: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"codeValue": code_value, "decision": "decline" if decline else "agree"}
    if buyer is not None:
        body["buyerId"] = buyer
    return body


def approve(
    url: str,
    code_value: str,
    *,
    buyer: str | None = None,
    decline: bool = False,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Agree to (or decline) a pending QR as a test buyer, like a phone would.

    `url` is the sandbox's base URL; `code_value` the QR's text (or just its code). Without
    `buyer`, the first seeded buyer of the QR's wallet answers.

    Raises:
        RemoteError: the sandbox cannot be reached, or refuses (unknown, used or expired QR;
            unknown buyer or one of another wallet).
    """
    own = client is None
    http = client or httpx.Client(timeout=_TIMEOUT, trust_env=False)
    try:
        response = http.post(
            url.rstrip("/") + "/wallet/api/approve", json=_approve_body(code_value, buyer, decline)
        )
    except httpx.HTTPError as exc:
        raise RemoteError(f"cannot reach the sandbox at {url}: {exc}") from None
    finally:
        if own:
            http.close()
    result: dict[str, Any] = _answer(response)
    return result


async def approve_async(
    url: str,
    code_value: str,
    *,
    buyer: str | None = None,
    decline: bool = False,
    client: httpx.AsyncClient | None = None,
) -> dict[str, Any]:
    """`approve` for async code (same arguments, same errors)."""
    own = client is None
    http = client or httpx.AsyncClient(timeout=_TIMEOUT, trust_env=False)
    try:
        response = await http.post(
            url.rstrip("/") + "/wallet/api/approve", json=_approve_body(code_value, buyer, decline)
        )
    except httpx.HTTPError as exc:
        raise RemoteError(f"cannot reach the sandbox at {url}: {exc}") from None
    finally:
        if own:
            await http.aclose()
    result: dict[str, Any] = _answer(response)
    return result


class OperatorClient:
    """The operator API of one sandbox (`/operator/v1`), with its bearer token."""

    def __init__(self, url: str, token: str, *, client: httpx.Client | None = None) -> None:
        self._base = url.rstrip("/") + OPERATOR_PREFIX
        self._own = client is None
        self._http = client or httpx.Client(timeout=_TIMEOUT, trust_env=False)
        self._headers = {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        """Close the HTTP client (if this object made it)."""
        if self._own:
            self._http.close()

    def __enter__(self) -> OperatorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call one operator endpoint; returns its JSON.

        Raises:
            RemoteError: unreachable, or refused (the message has the sandbox's reason).
        """
        try:
            response = self._http.request(
                method, self._base + path, json=body, headers=self._headers
            )
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the sandbox at {self._base}: {exc}") from None
        return _answer(response)

    def text(self, path: str) -> str:
        """A text resource (a report file).

        Raises:
            RemoteError: unreachable or refused.
        """
        try:
            response = self._http.get(self._base + path, headers=self._headers)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the sandbox at {self._base}: {exc}") from None
        if response.status_code >= 400:
            _answer(response)
        return response.text
