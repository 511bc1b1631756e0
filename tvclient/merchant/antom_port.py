"""What the backend needs from Antom: one call per API, answered with S, F or U.

The services speak to Antom only through `AntomPort`. `antom_gateway.AntomGateway` implements
it over `tvclient.antom`'s signed client; tests may put a scripted fake in its place. Transport
trouble (timeouts, connection errors, 5xx, unverifiable responses) is never an exception here:
it is a `U` reply, because the outcome at Antom is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tvclient.antom.paths import Api

__all__ = ["AntomPort", "AntomReply", "Api"]


@dataclass(frozen=True, slots=True)
class AntomReply:
    """Antom's answer: `status` S/F/U, `code` (resultCode or a transport code), the body."""

    status: str
    code: str
    message: str = ""
    body: Mapping[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        """`S`: the call succeeded (for queries: the query ran)."""
        return self.status == "S"

    @property
    def failed(self) -> bool:
        """`F`: the call failed for the reason in `code`."""
        return self.status == "F"

    @property
    def unknown(self) -> bool:
        """`U` or no usable answer: the outcome is unknown."""
        return self.status not in {"S", "F"}

    def text(self, name: str) -> str | None:
        """A string field of the body, or None when absent or not a string."""
        value = self.body.get(name)
        return value if isinstance(value, str) else None


class AntomPort(Protocol):
    """Calls one Antom API with a request body (Antom's JSON field names)."""

    async def call(self, api: Api, body: Mapping[str, Any]) -> AntomReply:
        """Send `body` to `api` and return the outcome; never raises for transport trouble."""
        ...
