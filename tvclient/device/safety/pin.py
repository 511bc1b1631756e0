"""The optional purchase PIN: stored only as a salted scrypt hash, with a growing lockout.

A PIN is 4 to 8 digits (the on-screen pad uses 4). It is hashed with `hashlib.scrypt` and a
random 16-byte salt; the check compares digests in constant time. After `pin_attempts` wrong
PINs in a row purchases lock for `lockout_seconds`; every further lock doubles that, up to
24 hours, until a correct PIN resets the count. The lock is kept in the state store against the
wall clock, so restarting the app does not lift it. A correct PIN approves one purchase only:
there is no "window" of PIN-free purchases afterwards (the 2014 in-app purchase lesson).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from tvclient.clock import Clock
from tvclient.device.safety.errors import (
    NoPinSetError,
    PinFormatError,
    PurchasesLockedError,
    SafetySettingsError,
    WrongPinError,
)
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import JsonValue, StateStore

__all__ = ["PIN_KEY", "PIN_LOCK_KEY", "PinGuard", "PinHash", "check_pin_format"]

PIN_KEY = "purchase.pin"
PIN_LOCK_KEY = "purchase.pin_lock"

_log = logging.getLogger(__name__)
_PIN_RE = re.compile(r"[0-9]{4,8}")
# scrypt cost: 16 MiB and tens of milliseconds on a TV box; enough against offline guessing
# of a short PIN only together with the lockout, which is the real defence.
_DEFAULT_N = 2**14
_R = 8
_P = 1
_SALT_BYTES = 16
_DIGEST_BYTES = 32


def check_pin_format(pin: str) -> None:
    """Raise `PinFormatError` unless `pin` is 4 to 8 ASCII digits."""
    if not _PIN_RE.fullmatch(pin):
        raise PinFormatError("a PIN is 4 to 8 digits")


@dataclass(frozen=True, slots=True)
class PinHash:
    """A salted scrypt hash of a PIN and the parameters that made it."""

    salt: bytes
    digest: bytes
    n: int = _DEFAULT_N
    r: int = _R
    p: int = _P

    @classmethod
    def create(cls, pin: str, *, n: int = _DEFAULT_N) -> PinHash:
        """Hash a new PIN with a fresh random salt."""
        check_pin_format(pin)
        salt = secrets.token_bytes(_SALT_BYTES)
        return cls(salt=salt, digest=_scrypt(pin, salt, n, _R, _P), n=n, r=_R, p=_P)

    def matches(self, pin: str) -> bool:
        """Whether `pin` is the hashed PIN (constant-time comparison of the digests)."""
        if not _PIN_RE.fullmatch(pin):
            return False
        return hmac.compare_digest(_scrypt(pin, self.salt, self.n, self.r, self.p), self.digest)

    def to_json(self) -> dict[str, JsonValue]:
        """The stored form: algorithm, cost parameters, salt and digest (base64)."""
        return {
            "scheme": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "hash": base64.b64encode(self.digest).decode("ascii"),
        }

    @classmethod
    def from_json(cls, value: JsonValue) -> PinHash:
        """Read the stored form back.

        Raises:
            SafetySettingsError: the record is not a PIN hash this version understands.
        """
        if not isinstance(value, dict) or value.get("scheme") != "scrypt":
            raise SafetySettingsError("the stored purchase PIN is not a scrypt record")
        n, r, p = value.get("n"), value.get("r"), value.get("p")
        salt, digest = value.get("salt"), value.get("hash")
        if not (isinstance(n, int) and isinstance(r, int) and isinstance(p, int)) or any(
            isinstance(x, bool) for x in (n, r, p)
        ):
            raise SafetySettingsError("the stored purchase PIN has bad scrypt parameters")
        if not isinstance(salt, str) or not isinstance(digest, str):
            raise SafetySettingsError("the stored purchase PIN lacks its salt or hash")
        if n < 2 or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16 or n > 2**20:
            raise SafetySettingsError("the stored purchase PIN has out-of-range scrypt costs")
        try:
            raw_salt = base64.b64decode(salt, validate=True)
            raw_digest = base64.b64decode(digest, validate=True)
        except (binascii.Error, ValueError):
            raise SafetySettingsError("the stored purchase PIN is not valid base64") from None
        if len(raw_salt) < 8 or len(raw_digest) != _DIGEST_BYTES:
            raise SafetySettingsError("the stored purchase PIN has a bad salt or hash length")
        return cls(salt=raw_salt, digest=raw_digest, n=n, r=r, p=p)


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        pin.encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 1024 * 1024,
        dklen=_DIGEST_BYTES,
    )


@dataclass(slots=True)
class _LockState:
    failures: int = 0
    lockouts: int = 0
    locked_until: dt.datetime | None = None

    def to_json(self) -> JsonValue:
        return {
            "failures": self.failures,
            "lockouts": self.lockouts,
            "locked_until": (
                self.locked_until.isoformat() if self.locked_until is not None else None
            ),
        }


class PinGuard:
    """Sets, clears and checks the purchase PIN, locking purchases after repeated wrong PINs."""

    def __init__(
        self, store: StateStore, clock: Clock, settings: SafetySettings, *,
        scrypt_n: int = _DEFAULT_N,
    ) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._scrypt_n = scrypt_n

    # ------------------------------------------------------------------ queries
    def has_pin(self) -> bool:
        """Whether purchases need a PIN (an unreadable stored PIN still counts as set)."""
        return self._store.load(PIN_KEY) is not None

    def locked_until(self) -> dt.datetime | None:
        """When the current purchase lock ends, or None when purchases are not locked."""
        state = self._lock_state()
        now = self._clock.now()
        if state.locked_until is None or state.locked_until <= now:
            return None
        return state.locked_until

    def attempts_left(self) -> int:
        """Wrong PINs still allowed before the next lock."""
        return max(0, self._settings.pin_attempts - self._lock_state().failures)

    # ------------------------------------------------------------------ changes
    def set_pin(self, new: str, current: str | None = None) -> None:
        """Set or change the PIN; changing an existing PIN needs the current one.

        Raises:
            PinFormatError: `new` is not 4-8 digits.
            WrongPinError, PurchasesLockedError, NoPinSetError: as `verify` for `current`.
        """
        check_pin_format(new)
        if self.has_pin():
            if current is None:
                raise WrongPinError(self.attempts_left())
            self.verify(current)
        self._store.save(PIN_KEY, PinHash.create(new, n=self._scrypt_n).to_json())
        self._store.save(PIN_LOCK_KEY, None)
        _log.info("purchase PIN set")

    def clear_pin(self, current: str) -> None:
        """Remove the PIN (purchases no longer ask for one); needs the current PIN."""
        self.verify(current)
        self._store.save(PIN_KEY, None)
        self._store.save(PIN_LOCK_KEY, None)
        _log.info("purchase PIN removed")

    def verify(self, pin: str) -> None:
        """Check a PIN typed for one purchase.

        Raises:
            NoPinSetError: no PIN is set.
            PurchasesLockedError: purchases are locked (the PIN is not even looked at), or this
                wrong PIN used up the last attempt.
            WrongPinError: the PIN is wrong; attempts remain.
            SafetySettingsError: the stored PIN record is unreadable (reset the PIN).
        """
        record = self._store.load(PIN_KEY)
        if record is None:
            raise NoPinSetError("no purchase PIN is set")
        state = self._lock_state()
        now = self._clock.now()
        if state.locked_until is not None and state.locked_until > now:
            raise PurchasesLockedError(state.locked_until)
        stored = PinHash.from_json(record)
        if stored.matches(pin):
            if state.failures or state.lockouts or state.locked_until is not None:
                self._store.save(PIN_LOCK_KEY, None)
            return
        state.failures += 1
        if state.failures >= self._settings.pin_attempts:
            state.lockouts += 1
            state.failures = 0
            lock = min(
                self._settings.lockout_seconds * 2 ** (state.lockouts - 1),
                self._settings.max_lockout_seconds,
            )
            state.locked_until = now + dt.timedelta(seconds=lock)
            self._store.save(PIN_LOCK_KEY, state.to_json())
            _log.info("purchases locked for %d s after repeated wrong PINs", lock)
            raise PurchasesLockedError(state.locked_until)
        self._store.save(PIN_LOCK_KEY, state.to_json())
        raise WrongPinError(self._settings.pin_attempts - state.failures)

    # ------------------------------------------------------------------ storage
    def _lock_state(self) -> _LockState:
        value = self._store.load(PIN_LOCK_KEY)
        if value is None:
            return _LockState()
        try:
            return self._parse_lock(value)
        except (TypeError, ValueError) as exc:
            # A damaged record must not unlock purchases: treat it as a fresh first lock.
            _log.warning("purchase PIN lock record unreadable (%s); locking as a precaution", exc)
            state = _LockState(
                lockouts=1,
                locked_until=self._clock.now()
                + dt.timedelta(seconds=self._settings.lockout_seconds),
            )
            self._store.save(PIN_LOCK_KEY, state.to_json())
            return state

    def _parse_lock(self, value: JsonValue) -> _LockState:
        if not isinstance(value, dict):
            raise TypeError("not an object")
        failures, lockouts, until = (
            value.get("failures"), value.get("lockouts"), value.get("locked_until"),
        )
        if not isinstance(failures, int) or not isinstance(lockouts, int):
            raise TypeError("counts are not integers")
        if failures < 0 or lockouts < 0:
            raise ValueError("negative counts")
        locked_until: dt.datetime | None = None
        if until is not None:
            if not isinstance(until, str):
                raise TypeError("locked_until is not a string")
            locked_until = dt.datetime.fromisoformat(until)
            if locked_until.tzinfo is None:
                raise ValueError("locked_until has no time zone")
            # A wall clock set far back must not turn a lock into a life sentence.
            longest = self._clock.now() + dt.timedelta(
                seconds=self._settings.max_lockout_seconds
            )
            locked_until = min(locked_until, longest)
        return _LockState(failures=failures, lockouts=lockouts, locked_until=locked_until)
