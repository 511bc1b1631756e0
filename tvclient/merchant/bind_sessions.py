"""Bind sessions: consult for a QR, wait for the buyer, exchange the authCode, store the binding.

`PENDING → BOUND | EXPIRED | DECLINED | FAILED`, terminal states final. Every transition is a
conditional update on `state = PENDING`, so a duplicate, late or out-of-order notification, a
device cancel and an expiry can race without a session ever leaving a terminal state.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from tvclient.clock import Clock
from tvclient.merchant.accounts import account_from
from tvclient.merchant.antom_port import AntomPort, AntomReply, Api
from tvclient.merchant.errors import ApiError
from tvclient.merchant.ids import new_id, new_secret
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.states import BindingState, BindState
from tvclient.merchant.store import Database
from tvclient.merchant.store.schema import bind_sessions, bindings
from tvclient.merchant.tasks import Tasks
from tvclient.merchant.timing import parse_antom_time, wait_event
from tvclient.merchant.token_vault import TokenVault
from tvclient.money import rules_for

__all__ = ["AuthCodeOutcome", "BindSessions"]

log = logging.getLogger(__name__)

Row = RowMapping

AUTH_CODE_LIFE = dt.timedelta(seconds=60)
SLOW_DOWN_STEP = 5
POLL_GRACE = 0.5  # network jitter a device's timer may show without being "too fast"
# An idle long-poll ends up to this share of its wait early, at random. Without it, TVs that
# re-poll the moment they are answered fall into step: a burst of answers delays the requests
# around it, which then expire together, and the bursts grow until answers come back seconds
# late (10,000 waiting TVs in bench/soak_waiting.py; Floyd and Jacobson's "synchronization of
# periodic routing messages"). An early answer costs a TV nothing: it polls again.
HOLD_JITTER = 0.2
# Built once: every long-poll reads its session, and with ten thousand TVs waiting, building
# and hashing a new statement each time was a tenth of the backend's CPU (bench/soak_waiting.py).
_SESSION = select(bind_sessions).where(bind_sessions.c.id == bindparam("session_id"))
_DEVICE_SESSION = _SESSION.where(bind_sessions.c.device_id == bindparam("device_id"))


class AuthCodeOutcome(StrEnum):
    """What an `AUTHCODE_CREATED` notification did."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    UNKNOWN = "unknown"


class BindSessions:
    """Creates bind sessions, answers (long-)polls and turns notifications into bindings."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        antom: AntomPort,
        *,
        vault: TokenVault,
        tasks: Tasks,
        metrics: Metrics,
        base_url: str,
        interval: int,
        ttl: int,
        hold_jitter: float = HOLD_JITTER,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._hold_jitter = hold_jitter
        self._rng = rng or random.Random()  # noqa: S311 - spreads timings; nothing secret
        self._clock = clock
        self._antom = antom
        self._vault = vault
        self._tasks = tasks
        self._metrics = metrics
        self._base_url = base_url
        self._interval = interval
        self._ttl = dt.timedelta(seconds=ttl)

    # ------------------------------------------------------------------ device side
    async def create(self, device_id: str, wallet: str) -> Row:
        """A new session with a fresh `authState`; the QR comes from Antom consult."""
        now = self._clock.now()
        session_id = new_id("bs")
        auth_state = new_secret(24)
        async with self._db.write() as tx:
            await tx.conn.execute(
                insert(bind_sessions).values(
                    id=session_id,
                    device_id=device_id,
                    wallet=wallet,
                    state=BindState.PENDING,
                    auth_state=auth_state,
                    interval=self._interval,
                    created_at=now,
                    expires_at=now + self._ttl,
                    updated_at=now,
                    last_poll_at=now,
                )
            )
        self._metrics.inc("tvclient_merchant_bind_sessions_total", outcome="created")
        reply = await self._consult(wallet, auth_state)
        qr_text = _qr_text(reply) if reply.succeeded else None
        if qr_text is None:
            log.error(
                "consult for %s failed (%s %s): session %s cannot show a QR",
                wallet,
                reply.status,
                reply.code,
                session_id,
            )
            await self._finish(session_id, BindState.FAILED, "WALLET_UNAVAILABLE")
        else:
            async with self._db.write() as tx:
                await tx.conn.execute(
                    update(bind_sessions)
                    .where(bind_sessions.c.id == session_id)
                    .values(qr_text=qr_text, updated_at=self._clock.now())
                )
        return await self._load(device_id, session_id)

    async def _consult(self, wallet: str, auth_state: str) -> AntomReply:
        body = {
            "customerBelongsTo": wallet,
            "authRedirectUrl": f"{self._base_url}/antom/authorized",
            "authNotifyUrl": f"{self._base_url}/antom/notify/authorization",
            "scopes": ["AGREEMENT_PAY"],
            "authState": auth_state,
            "terminalType": "WEB",
            "env": {"terminalType": "WEB"},
        }
        reply = await self._antom.call(Api.CONSULT, body)
        if reply.unknown:
            # A consult has no side effect worth protecting: asking again is safe.
            reply = await self._antom.call(Api.CONSULT, body)
        return reply

    async def get(self, device_id: str, session_id: str, wait: float | None) -> Row:
        """The session; with `wait`, held until it changes or `wait` seconds pass.

        Raises:
            ApiError: 404 NOT_FOUND; 400 SLOW_DOWN when a plain poll comes too soon.
        """
        if wait is None:
            row = await self._current(device_id, session_id)
            if row["state"] == BindState.PENDING:
                await self._check_pace(row)
            return row
        # Register first, then read: a change committed in between still wakes this waiter,
        # and one read per arrival keeps tens of thousands of waiting devices cheap.
        with self._db.wakeups.waiter(f"bs:{session_id}") as event:
            row = await self._current(device_id, session_id)
            if row["state"] != BindState.PENDING:
                return row
            left = (row["expires_at"] - self._clock.now()).total_seconds()
            hold = wait * (1.0 - self._hold_jitter * self._rng.random())
            woken = await wait_event(event, min(hold, max(left, 0.0) + 0.05), self._clock)
            if not woken and left > hold:
                return row  # nothing changed and nothing expired: the row is still current
        return await self._current(device_id, session_id)

    async def cancel(self, device_id: str, session_id: str) -> Row:
        """The device gave up: a PENDING session becomes FAILED/CANCELLED."""
        await self._current(device_id, session_id)
        await self._finish(session_id, BindState.FAILED, "CANCELLED")
        return await self._load(device_id, session_id)

    async def _check_pace(self, row: Row) -> None:
        now = self._clock.now()
        last = row["last_poll_at"]
        interval = int(row["interval"])
        too_soon = last is not None and (now - last).total_seconds() < interval - POLL_GRACE
        values: dict[str, Any] = {"last_poll_at": now}
        if too_soon:
            interval += SLOW_DOWN_STEP
            values["interval"] = interval
        async with self._db.write() as tx:
            await tx.conn.execute(
                update(bind_sessions).where(bind_sessions.c.id == row["id"]).values(**values)
            )
        if too_soon:
            raise ApiError(400, "SLOW_DOWN", retryable=True, interval=interval)

    async def _load(self, device_id: str | None, session_id: str) -> Row:
        async with self._db.read() as conn:
            if device_id is None:
                result = await conn.execute(_SESSION, {"session_id": session_id})
            else:
                result = await conn.execute(
                    _DEVICE_SESSION, {"session_id": session_id, "device_id": device_id}
                )
            row = result.mappings().first()
        if row is None:
            raise ApiError(404, "NOT_FOUND", detail="no such bind session")
        return row

    async def _current(self, device_id: str | None, session_id: str) -> Row:
        row = await self._load(device_id, session_id)
        if row["state"] == BindState.PENDING and row["expires_at"] <= self._clock.now():
            await self._finish(session_id, BindState.EXPIRED, None)
            row = await self._load(device_id, session_id)
        return row

    async def binding_of(self, row: Row) -> Row | None:
        """The binding a BOUND session created."""
        if not row["binding_ref"]:
            return None
        async with self._db.read() as conn:
            return (
                (await conn.execute(select(bindings).where(bindings.c.ref == row["binding_ref"])))
                .mappings()
                .first()
            )

    async def _finish(
        self, session_id: str, state: BindState, code: str | None, **values: Any
    ) -> bool:
        async with self._db.write() as tx:
            result = await tx.conn.execute(
                update(bind_sessions)
                .where(bind_sessions.c.id == session_id, bind_sessions.c.state == BindState.PENDING)
                .values(state=state, failure_code=code, updated_at=self._clock.now(), **values)
            )
            changed = bool(result.rowcount)
            if changed:
                tx.wake(f"bs:{session_id}")
        if changed:
            self._metrics.inc("tvclient_merchant_bind_sessions_total", outcome=state.value)
        return changed

    # ------------------------------------------------------------------ Antom side
    async def on_auth_code(
        self, auth_state: str, auth_code: str, body: Mapping[str, Any]
    ) -> AuthCodeOutcome:
        """`AUTHCODE_CREATED`: remember the code and exchange it in the background."""
        now = self._clock.now()
        async with self._db.write() as tx:
            row = (
                (
                    await tx.conn.execute(
                        select(bind_sessions).where(bind_sessions.c.auth_state == auth_state)
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                return AuthCodeOutcome.UNKNOWN
            if row["auth_code"] is not None:
                return AuthCodeOutcome.DUPLICATE
            if row["state"] != BindState.PENDING or row["expires_at"] <= now:
                return AuthCodeOutcome.IGNORED
            await tx.conn.execute(
                update(bind_sessions)
                .where(bind_sessions.c.id == row["id"], bind_sessions.c.auth_code.is_(None))
                .values(
                    auth_code=auth_code,
                    auth_code_at=now,
                    account=account_from(body),
                    updated_at=now,
                )
            )
        self._tasks.spawn(self.exchange(str(row["id"])), name=f"exchange-{row['id']}")
        return AuthCodeOutcome.ACCEPTED

    async def exchange(self, session_id: str) -> None:
        """Exchange the authCode (applyToken) within its minute, store the binding, wake waiters."""
        row = await self._load(None, session_id)
        if row["state"] != BindState.PENDING or not row["auth_code"]:
            return
        deadline = row["auth_code_at"] + AUTH_CODE_LIFE
        delay = 1.0
        while True:
            reply = await self._antom.call(
                Api.APPLY_TOKEN,
                {
                    "grantType": "AUTHORIZATION_CODE",
                    "customerBelongsTo": row["wallet"],
                    "authCode": row["auth_code"],
                },
            )
            if reply.succeeded and reply.text("accessToken"):
                await self._bind(row, reply)
                return
            if reply.failed or reply.succeeded:
                log.info("session %s: token exchange refused (%s)", session_id, reply.code)
                await self._finish(session_id, BindState.DECLINED, "DECLINED")
                return
            if self._clock.now() + dt.timedelta(seconds=delay) >= deadline:
                log.warning("session %s: authCode expired while Antom was unreachable", session_id)
                await self._finish(session_id, BindState.FAILED, "AUTHORIZATION_FAILED")
                return
            await self._clock.sleep(delay)
            delay = min(delay * 2, 8.0)

    async def _bind(self, session: Row, reply: AntomReply) -> None:
        access = reply.text("accessToken") or ""
        refresh = reply.text("refreshToken")
        now = self._clock.now()
        ref = new_id("bnd")
        account = account_from(reply.body) or session["account"]
        try:
            async with self._db.write() as tx:
                changed = await tx.conn.execute(
                    update(bind_sessions)
                    .where(
                        bind_sessions.c.id == session["id"],
                        bind_sessions.c.state == BindState.PENDING,
                    )
                    .values(state=BindState.BOUND, binding_ref=ref, account=account, updated_at=now)
                )
                if changed.rowcount:
                    await tx.conn.execute(
                        insert(bindings).values(
                            ref=ref,
                            device_id=session["device_id"],
                            bind_session_id=session["id"],
                            wallet=session["wallet"],
                            currency=rules_for(session["wallet"]).currency,
                            state=BindingState.ACTIVE,
                            revoke_pending=False,
                            account=account,
                            access_token_enc=self._vault.seal(access),
                            access_token_digest=self._vault.digest(access),
                            access_token_expires_at=parse_antom_time(
                                reply.body.get("accessTokenExpiryTime")
                            ),
                            refresh_token_enc=self._vault.seal(refresh) if refresh else None,
                            refresh_token_expires_at=parse_antom_time(
                                reply.body.get("refreshTokenExpiryTime")
                            ),
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    tx.wake(f"bs:{session['id']}")
        except IntegrityError:
            changed = None
            log.warning("session %s: binding already stored", session["id"])
        if changed is not None and changed.rowcount:
            self._metrics.inc("tvclient_merchant_bind_sessions_total", outcome="BOUND")
            log.info("session %s bound: binding %s", session["id"], ref)
            return
        # The device cancelled (or the session ended) while the token was being issued: the
        # buyer did not get a binding, so the token must not stay valid at Antom.
        log.info("session %s ended before its token arrived; revoking that token", session["id"])
        await self._antom.call(Api.REVOKE, {"accessToken": access})

    async def recover(self) -> None:
        """After a restart: resume token exchanges whose authCode is still alive."""
        now = self._clock.now()
        async with self._db.read() as conn:
            rows = (
                await conn.execute(
                    select(bind_sessions.c.id, bind_sessions.c.auth_code_at).where(
                        bind_sessions.c.state == BindState.PENDING,
                        bind_sessions.c.auth_code.is_not(None),
                    )
                )
            ).all()
        for row in rows:
            if row.auth_code_at + AUTH_CODE_LIFE > now:
                self._tasks.spawn(self.exchange(row.id), name=f"exchange-{row.id}")
            else:
                await self._finish(row.id, BindState.FAILED, "AUTHORIZATION_FAILED")


def _qr_text(reply: AntomReply) -> str | None:
    form = reply.body.get("authCodeForm")
    details = form.get("codeDetails") if isinstance(form, dict) else None
    if isinstance(details, list):
        for detail in details:
            if (
                isinstance(detail, dict)
                and detail.get("displayType") == "TEXT"
                and isinstance(detail.get("codeValue"), str)
                and detail["codeValue"]
            ):
                return str(detail["codeValue"])
    for key in ("normalUrl", "authUrl"):
        value = reply.text(key)
        if value:
            return value
    return None
