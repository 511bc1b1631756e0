"""The Pay press-freshness gate: one deliberate press pays once, nothing else ever pays.

The Product screen arms the gate when it appears. The Pay control reports each OK press and
release (with the press id and start time the input layer stamped on it) and the gate answers
with a `PayDecision`. Only `PayDecision.PAY` starts a purchase, and it is returned at most once
per `arm()`.

What never pays, and why (see tv-anchors §3: the Epic/FTC single-press lesson):

- auto-repeat events of a held key;
- a press that began before the screen was armed (carried over from the previous screen, or
  from before the window lost focus) or within `settle_seconds` after it (a press aimed at
  the previous screen that landed on this one);
- a release whose press this control never saw;
- in click mode, a press held longer than `max_click_seconds` (a held key, not a click);
- in hold-to-confirm mode, a press released before `hold_seconds`;
- a second press while one is in progress (two devices at once), and any press after a payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tvclient.clock import Clock
from tvclient.device.safety.settings import SafetySettings

__all__ = ["PayDecision", "PayGate", "PayPress"]


class PayDecision(StrEnum):
    """What the gate made of a press or release."""

    PAY = "pay"
    PENDING = "pending"
    NOT_ARMED = "not-armed"
    CARRIED_OVER = "carried-over"
    TOO_SOON = "too-soon"
    REPEAT = "repeat"
    UNKNOWN_PRESS = "unknown-press"
    HELD = "held"
    HOLD_TOO_SHORT = "hold-longer"
    OVERLAP = "overlap"
    ALREADY_PAID = "already-paid"


@dataclass(frozen=True, slots=True)
class PayPress:
    """One physical press as the input layer saw it.

    Attributes:
        press_id: The input layer's id; the release carries the same id.
        began_at: `Clock.monotonic()` seconds when the device reported the press.
        repeat: The event is an auto-repeat of an already-held key.
        kind: The device kind ("keyboard", "remote", "controller", "cec", "pointer"), for logs.
    """

    press_id: int
    began_at: float
    repeat: bool = False
    kind: str = "keyboard"


class PayGate:
    """Decides, press by press, whether the Pay control may start a purchase."""

    def __init__(self, clock: Clock, settings: SafetySettings) -> None:
        self._clock = clock
        self._settings = settings
        self._armed_at: float | None = None
        self._active: PayPress | None = None
        self._refused: dict[int, PayDecision] = {}
        self._paid = False

    @property
    def settings(self) -> SafetySettings:
        """The settings the gate applies."""
        return self._settings

    @property
    def armed(self) -> bool:
        """The Product screen is showing and the gate accepts presses."""
        return self._armed_at is not None

    @property
    def paid(self) -> bool:
        """A payment was already released since the last `arm()`."""
        return self._paid

    def arm(self) -> None:
        """The Product screen has just appeared (or the window came back): start afresh."""
        self._armed_at = self._clock.monotonic()
        self._active = None
        self._refused.clear()
        self._paid = False

    def disarm(self) -> None:
        """The Product screen is gone or hidden: nothing pays until the next `arm()`."""
        self._armed_at = None
        self._active = None
        self._refused.clear()

    def cancel(self) -> None:
        """Forget the press in progress (focus left the Pay control mid-press)."""
        if self._active is not None:
            self._refused[self._active.press_id] = PayDecision.UNKNOWN_PRESS
        self._active = None

    def press(self, press: PayPress) -> PayDecision:
        """An OK press (or its auto-repeat) reached the Pay control."""
        if self._armed_at is None:
            return PayDecision.NOT_ARMED
        if self._paid:
            return PayDecision.ALREADY_PAID
        if press.repeat:
            return PayDecision.REPEAT
        verdict = PayDecision.PENDING
        if press.began_at < self._armed_at:
            verdict = PayDecision.CARRIED_OVER
        elif press.began_at - self._armed_at < self._settings.settle_seconds:
            verdict = PayDecision.TOO_SOON
        elif self._active is not None and self._active.press_id != press.press_id:
            # Two presses at once (say remote and controller): neither is a clear intent.
            self._refused[self._active.press_id] = PayDecision.OVERLAP
            self._active = None
            verdict = PayDecision.OVERLAP
        if verdict is PayDecision.PENDING:
            self._active = press
        else:
            self._refused[press.press_id] = verdict
        return verdict

    def release(self, press_id: int) -> PayDecision:
        """The OK key of press `press_id` was released on the Pay control."""
        if self._armed_at is None:
            return PayDecision.NOT_ARMED
        if self._paid:
            return PayDecision.ALREADY_PAID
        refused = self._refused.pop(press_id, None)
        if refused is not None:
            return refused
        active = self._active
        if active is None or active.press_id != press_id:
            return PayDecision.UNKNOWN_PRESS
        self._active = None
        held = self._clock.monotonic() - active.began_at
        if self._settings.hold_to_confirm:
            verdict = PayDecision.PAY if held >= self._settings.hold_seconds else (
                PayDecision.HOLD_TOO_SHORT
            )
        else:
            verdict = PayDecision.HELD if held > self._settings.max_click_seconds else (
                PayDecision.PAY
            )
        if verdict is PayDecision.PAY:
            self._paid = True
        return verdict

    def update(self) -> PayDecision | None:
        """In hold-to-confirm mode, pay as soon as the hold is long enough (call it on a timer).

        Returns:
            `PayDecision.PAY` once, when the held press completes; None otherwise.
        """
        if not self._settings.hold_to_confirm or self._active is None or self._paid:
            return None
        if self._clock.monotonic() - self._active.began_at < self._settings.hold_seconds:
            return None
        self._active = None
        self._paid = True
        return PayDecision.PAY

    def hold_progress(self) -> float:
        """How far the current hold is, 0.0 to 1.0 (0.0 with no press in progress)."""
        if not self._settings.hold_to_confirm or self._active is None:
            return 0.0
        held = self._clock.monotonic() - self._active.began_at
        return max(0.0, min(1.0, held / self._settings.hold_seconds))
