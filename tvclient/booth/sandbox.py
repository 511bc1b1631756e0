"""The booth's hold on its own sandbox: approve a visitor's QR, sweep leftover bindings.

Only the booth (a composition root) talks to the sandbox like this; the device app never does.
Calls are async, for the app's worker loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from tvclient.sandbox.datadir import OPERATOR_PREFIX
from tvclient.sandbox.errors import RemoteError
from tvclient.sandbox.remote import approve_async

__all__ = ["RemoteError", "SandboxAccess"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class SandboxAccess:
    """The embedded sandbox, seen from the booth.

    Attributes:
        url: The sandbox's base URL on this machine.
        operator_token: Bearer token of its operator API.
    """

    url: str
    operator_token: str

    async def approve(self, qr_text: str, buyer: str | None = None) -> dict[str, Any]:
        """Agree to the QR on screen as a demo buyer (the wallet's first one by default).

        Raises:
            RemoteError: the sandbox refused (used or expired code) or cannot be reached.
        """
        return await approve_async(self.url, qr_text, buyer=buyer)

    async def active_bindings(self) -> list[dict[str, Any]]:
        """Bindings the sandbox still holds as ACTIVE.

        Raises:
            RemoteError: the operator API cannot be reached or refused.
        """
        body = await self._call("GET", "/bindings?limit=1000")
        rows = body.get("bindings", []) if isinstance(body, dict) else []
        return [row for row in rows if isinstance(row, dict) and row.get("status") == "ACTIVE"]

    async def unlink_active(self) -> int:
        """Unlink every ACTIVE binding as its buyer would; how many there were.

        The safety net behind the normal reset: whatever a crash or a lost keyring left linked
        at this booth's sandbox is cancelled (the merchant backend hears TOKEN_CANCELED).

        Raises:
            RemoteError: the operator API cannot be reached or refused.
        """
        active = await self.active_bindings()
        for row in active:
            await self._call("POST", f"/bindings/{row['bindingId']}/unlink")
        if active:
            _log.info("unlinked %d binding(s) left active at the sandbox", len(active))
        return len(active)

    async def _call(self, method: str, path: str) -> Any:
        headers = {"Authorization": f"Bearer {self.operator_token}"}
        url = self.url.rstrip("/") + OPERATOR_PREFIX + path
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT, trust_env=False) as http:
                response = await http.request(method, url, headers=headers)
        except httpx.HTTPError as exc:
            raise RemoteError(f"cannot reach the sandbox at {self.url}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            raise RemoteError(
                f"the sandbox answered HTTP {response.status_code} without JSON"
            ) from None
        if response.status_code >= 400:
            raise RemoteError(f"the sandbox refused {method} {path}: HTTP {response.status_code}")
        return body
