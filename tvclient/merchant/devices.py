"""Device enrolment and authentication by device credential."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select

from tvclient.clock import Clock
from tvclient.merchant.errors import ApiError
from tvclient.merchant.ids import credential_hash, new_credential, new_id
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import devices

__all__ = ["Devices", "is_loopback"]

_KNOWN_LIMIT = 100_000


def is_loopback(host: str | None) -> bool:
    """Whether a client address is on this machine."""
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


class Devices:
    """Enrols devices (enrolment token, or loopback in the embedded demo) and checks credentials."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        enrolment_token: str,
        allow_loopback: bool,
    ) -> None:
        self._db = db
        self._clock = clock
        self._token = enrolment_token
        self._allow_loopback = allow_loopback
        # Credentials never change once issued, so a verified one can be remembered (bounded).
        self._known: dict[str, str] = {}

    def may_enrol(self, token: str | None, client_host: str | None) -> bool:
        """Whether an enrolment with this token from this address is accepted."""
        if self._allow_loopback and is_loopback(client_host):
            return True
        if not self._token or not token:
            return False
        # `surrogatepass`: a token sent as JSON "\ud800" cannot be UTF-8; without it the
        # encoding raised and any client could get a 500 (tests/security/test_enrolment.py).
        return hmac.compare_digest(
            token.encode("utf-8", "surrogatepass"), self._token.encode("utf-8")
        )

    async def enrol(
        self,
        *,
        token: str | None,
        client_host: str | None,
        name: str,
        platform: str,
        app_version: str,
    ) -> tuple[Mapping[str, Any], str]:
        """Create a device; returns its row and the credential (shown once, stored hashed).

        Raises:
            ApiError: 403 ENROLMENT_REFUSED when the token is wrong or missing.
        """
        if not self.may_enrol(token, client_host):
            raise ApiError(403, "ENROLMENT_REFUSED")
        credential = new_credential()
        row = {
            "id": new_id("dev"),
            "credential_hash": credential_hash(credential),
            "name": name,
            "platform": platform,
            "app_version": app_version,
            "created_at": self._clock.now(),
        }
        async with self._db.write() as tx:
            await tx.conn.execute(insert(devices).values(**row))
        return row, credential

    async def authenticate(self, credential: str | None) -> str:
        """The device id a credential belongs to.

        Raises:
            ApiError: 401 UNAUTHENTICATED for a missing or unknown credential.
        """
        if not credential or len(credential) > 200:
            raise ApiError(401, "UNAUTHENTICATED")
        digest = credential_hash(credential)
        known = self._known.get(digest)
        if known is not None:
            return known
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(devices.c.id).where(devices.c.credential_hash == digest))
            ).first()
        if row is None:
            raise ApiError(401, "UNAUTHENTICATED")
        if len(self._known) >= _KNOWN_LIMIT:
            self._known.clear()
        self._known[digest] = str(row.id)
        return str(row.id)
