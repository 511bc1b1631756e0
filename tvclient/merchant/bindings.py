"""Bindings: status, unbinding (revoke at Antom), wallet-side cancellation, token upkeep.

A binding holds the Antom access token (encrypted) that lets this merchant debit the buyer's
wallet. Only the device that created it can see or use it. Tokens are refreshed ahead of their
expiry by `refresh_due`; a binding whose token cannot be refreshed becomes EXPIRED.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import RowMapping, select, update

from tvclient.clock import Clock
from tvclient.merchant.antom_port import AntomPort, Api
from tvclient.merchant.errors import ApiError
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.states import BindingState, RevokedBy
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import bindings
from tvclient.merchant.timing import parse_antom_time
from tvclient.merchant.token_vault import TokenVault, TokenVaultError

__all__ = ["Bindings", "TokenUnavailableError"]

log = logging.getLogger(__name__)

Row = RowMapping


class TokenUnavailableError(Exception):
    """The binding has no usable access token (revoked, expired, or refresh refused)."""

    def __init__(self, state: BindingState) -> None:
        super().__init__(state.value)
        self.state = state


class Bindings:
    """Reads and changes bindings; talks to Antom for revoke and token refresh."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        antom: AntomPort,
        vault: TokenVault,
        metrics: Metrics,
        *,
        refresh_ahead: float,
    ) -> None:
        self._db = db
        self._clock = clock
        self._antom = antom
        self._vault = vault
        self._metrics = metrics
        self._refresh_ahead = dt.timedelta(seconds=refresh_ahead)

    async def get(self, device_id: str | None, ref: str) -> Row:
        """A binding of this device (any device when `device_id` is None, for operators).

        Raises:
            ApiError: 404 NOT_FOUND when it does not exist or belongs to another device.
        """
        query = select(bindings).where(bindings.c.ref == ref)
        if device_id is not None:
            query = query.where(bindings.c.device_id == device_id)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise ApiError(404, "NOT_FOUND", detail="no such binding")
        return row

    async def find(self, *, state: str | None = None, limit: int = 100) -> list[Row]:
        """Bindings newest first (operators)."""
        query = select(bindings).order_by(bindings.c.created_at.desc()).limit(limit)
        if state:
            query = query.where(bindings.c.state == state)
        async with self._db.read() as conn:
            return list((await conn.execute(query)).mappings().all())

    async def revoke(self, device_id: str | None, ref: str) -> Row:
        """Unbind: the binding is REVOKED (by DEVICE) at once, and the token revoked at Antom.

        When Antom cannot be reached the revoke is retried by the upkeep loop; the token is
        never used again either way. Repeating an unbind is harmless.
        """
        row = await self.get(device_id, ref)
        if row["state"] == BindingState.ACTIVE:
            async with self._db.write() as tx:
                await tx.conn.execute(
                    update(bindings)
                    .where(bindings.c.ref == ref, bindings.c.state == BindingState.ACTIVE)
                    .values(
                        state=BindingState.REVOKED,
                        revoked_by=RevokedBy.DEVICE,
                        revoke_pending=True,
                        updated_at=self._clock.now(),
                    )
                )
            await self._revoke_at_antom(ref)
        return await self.get(device_id, ref)

    async def _revoke_at_antom(self, ref: str) -> None:
        async with self._db.read() as conn:
            row = (
                (await conn.execute(select(bindings).where(bindings.c.ref == ref)))
                .mappings()
                .first()
            )
        if row is None or not row["revoke_pending"]:
            return
        try:
            token = self._vault.open(row["access_token_enc"])
        except TokenVaultError:
            log.exception("binding %s: cannot decrypt its token to revoke it", ref)
            return
        reply = await self._antom.call(Api.REVOKE, {"accessToken": token})
        # F (for instance INVALID_ACCESS_TOKEN: already revoked or expired) leaves nothing to do.
        if reply.unknown:
            log.warning("binding %s: revoke outcome unknown (%s); will retry", ref, reply.code)
            return
        if reply.failed:
            log.info(
                "binding %s: Antom refused the revoke (%s); token is unusable", ref, reply.code
            )
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(bindings).where(bindings.c.ref == ref).values(revoke_pending=False)
            )

    async def on_token_canceled(self, access_token: str) -> bool:
        """The buyer unlinked in the wallet (`TOKEN_CANCELED`); False if the token is unknown."""
        digest = self._vault.digest(access_token)
        async with self._db.write() as tx:
            row = (
                await tx.conn.execute(
                    select(bindings.c.ref, bindings.c.state).where(
                        bindings.c.access_token_digest == digest
                    )
                )
            ).first()
            if row is None:
                return False
            if row.state == BindingState.ACTIVE:
                await tx.conn.execute(
                    update(bindings)
                    .where(bindings.c.ref == row.ref)
                    .values(
                        state=BindingState.REVOKED,
                        revoked_by=RevokedBy.WALLET,
                        updated_at=self._clock.now(),
                    )
                )
                tx.wake(f"bnd:{row.ref}")
                log.info("binding %s revoked by the buyer in the wallet", row.ref)
        return True

    async def usable_token(self, ref: str) -> str:
        """The access token to pay with, refreshed first when it has expired.

        Raises:
            TokenUnavailableError: the binding is not ACTIVE or its token cannot be renewed.
        """
        row = await self.get(None, ref)
        if row["state"] != BindingState.ACTIVE:
            raise TokenUnavailableError(BindingState(row["state"]))
        expires = row["access_token_expires_at"]
        if expires is not None and expires <= self._clock.now():
            row = await self.refresh(row)
            if row["state"] != BindingState.ACTIVE:
                raise TokenUnavailableError(BindingState(row["state"]))
        try:
            return self._vault.open(row["access_token_enc"])
        except TokenVaultError:
            log.exception("binding %s: stored token cannot be decrypted", ref)
            raise TokenUnavailableError(BindingState.EXPIRED) from None

    async def refresh(self, row: Row) -> Row:
        """Renew a binding's access token with its refresh token (`REFRESH_TOKEN` grant).

        Without a refresh token, or when Antom refuses, the binding becomes EXPIRED once its
        access token is past expiry. An unknown outcome leaves it as it is for the next round.
        """
        now = self._clock.now()
        ref = row["ref"]
        refresh_enc = row["refresh_token_enc"]
        refresh_expires = row["refresh_token_expires_at"]
        access_expired = (
            row["access_token_expires_at"] is not None and row["access_token_expires_at"] <= now
        )
        if refresh_enc is None or (refresh_expires is not None and refresh_expires <= now):
            if access_expired:
                return await self._expire(ref, "no refresh token")
            return row
        reply = await self._antom.call(
            Api.APPLY_TOKEN,
            {
                "grantType": "REFRESH_TOKEN",
                "customerBelongsTo": row["wallet"],
                "refreshToken": self._vault.open(refresh_enc),
            },
        )
        access = reply.text("accessToken")
        if reply.succeeded and access:
            values: dict[str, Any] = {
                "access_token_enc": self._vault.seal(access),
                "access_token_digest": self._vault.digest(access),
                "access_token_expires_at": parse_antom_time(
                    reply.body.get("accessTokenExpiryTime")
                ),
                "updated_at": now,
            }
            new_refresh = reply.text("refreshToken")
            if new_refresh:
                values["refresh_token_enc"] = self._vault.seal(new_refresh)
                values["refresh_token_expires_at"] = parse_antom_time(
                    reply.body.get("refreshTokenExpiryTime")
                )
            async with self._db.write() as tx:
                await tx.conn.execute(
                    update(bindings)
                    .where(bindings.c.ref == ref, bindings.c.state == BindingState.ACTIVE)
                    .values(**values)
                )
            self._metrics.inc("tvclient_merchant_token_refreshes_total", outcome="renewed")
            log.info("binding %s: access token renewed", ref)
        elif reply.failed:
            self._metrics.inc("tvclient_merchant_token_refreshes_total", outcome="refused")
            return await self._expire(ref, f"refresh refused ({reply.code})")
        else:
            self._metrics.inc("tvclient_merchant_token_refreshes_total", outcome="unknown")
            log.warning("binding %s: token refresh outcome unknown (%s)", ref, reply.code)
        return await self.get(None, ref)

    async def _expire(self, ref: str, why: str) -> Row:
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(bindings)
                .where(bindings.c.ref == ref, bindings.c.state == BindingState.ACTIVE)
                .values(state=BindingState.EXPIRED, updated_at=self._clock.now())
            )
            tx.wake(f"bnd:{ref}")
        log.info("binding %s expired: %s", ref, why)
        return await self.get(None, ref)

    async def upkeep(self) -> None:
        """One round: refresh tokens expiring soon, expire dead ones, retry pending revokes."""
        now = self._clock.now()
        async with self._db.read() as conn:
            due = (
                (
                    await conn.execute(
                        select(bindings).where(
                            bindings.c.state == BindingState.ACTIVE,
                            bindings.c.access_token_expires_at.is_not(None),
                            bindings.c.access_token_expires_at <= now + self._refresh_ahead,
                        )
                    )
                )
                .mappings()
                .all()
            )
            pending = (
                await conn.execute(
                    select(bindings.c.ref).where(bindings.c.revoke_pending.is_(True))
                )
            ).all()
        for row in due:
            await self.refresh(row)
        for item in pending:
            await self._revoke_at_antom(item.ref)
