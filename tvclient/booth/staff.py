"""The staff PIN (no Qt): from the operator's file, kept as a hash, locked after wrong tries.

It reuses the purchase PIN's guard (`tvclient.device.safety.pin.PinGuard`) over the booth's own
state store, with booth rules: 5 wrong PINs lock the pad for 30 s, each further lock doubles
that, up to 30 minutes (short enough that a prankster cannot keep staff out for a day). The
lock is kept against the wall clock, so restarting the booth does not lift it.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from tvclient.booth.errors import BoothConfigError
from tvclient.clock import Clock
from tvclient.device.safety.errors import PinFormatError, SafetySettingsError
from tvclient.device.safety.pin import PIN_KEY, PinGuard, PinHash, check_pin_format
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import StateStore

__all__ = ["STAFF_RULES", "read_pin_file", "staff_guard"]

_log = logging.getLogger(__name__)

STAFF_RULES = SafetySettings(pin_attempts=5, lockout_seconds=30.0, max_lockout_seconds=1800.0)


def read_pin_file(path: Path) -> str:
    """The staff PIN in `path` (surrounding whitespace ignored).

    Raises:
        BoothConfigError: unreadable, or not 4-8 digits.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BoothConfigError(f"cannot read the staff PIN file {path}: {exc}") from None
    try:
        check_pin_format(text)
    except PinFormatError:
        raise BoothConfigError(
            f"the staff PIN file {path} must hold 4 to 8 digits and nothing else"
        ) from None
    if mode & stat.S_IROTH:
        _log.warning("the staff PIN file %s can be read by every user; chmod o-r it", path)
    return text


def staff_guard(
    store: StateStore, clock: Clock, pin_file: Path | None, *, scrypt_n: int = 2**14
) -> PinGuard:
    """The guard that checks the staff PIN, set from `pin_file` when given.

    A PIN that is the one already stored keeps its lockout state; a new one replaces it (and
    lifts any lock, which is how an operator lets staff back in early).

    Raises:
        BoothConfigError: no PIN file given and none stored from an earlier start, or the file
            is unusable. The booth never runs without a staff PIN: the pad would accept anything.
    """
    guard = PinGuard(store, clock, STAFF_RULES, scrypt_n=scrypt_n)
    if pin_file is None:
        if not guard.has_pin():
            raise BoothConfigError(
                "the booth needs a staff PIN (4-8 digits): write it to a file only the kiosk "
                "user can read and start with --staff-pin-file FILE (or give it to the systemd "
                "unit as the credential 'staff-pin'); see docs/booth.md"
            )
        return guard
    pin = read_pin_file(pin_file)
    record = store.load(PIN_KEY)
    if record is not None:
        try:
            if PinHash.from_json(record).matches(pin):
                return guard
        except SafetySettingsError as exc:
            _log.warning("the stored staff PIN was unreadable (%s); replacing it", exc)
    store.save(PIN_KEY, None)
    guard.set_pin(pin)
    _log.info("staff PIN set from %s", pin_file)
    return guard
