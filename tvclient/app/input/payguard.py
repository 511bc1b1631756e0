"""The Pay control's guard (Qt): forwards OK presses to the `PayGate` and says when to pay.

The Product view-model owns one `PayGuard`; the Pay control's QML calls `press()`/`release()`
from its key handlers (the router tells the guard which press the key belongs to), or
`pointerPress()`/`pointerRelease()` from a pointer handler. `confirmed` is emitted at most once
per `arm()`. In hold-to-confirm mode a timer drives `holdProgress` for the ring and pays when
the hold completes. Losing window focus disarms; regaining it re-arms afresh, so a wake-up press
or a press carried across the focus change never pays.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QWindow

from tvclient.app.input.actions import Action
from tvclient.app.input.router import InputRouter
from tvclient.device.safety.paygate import PayDecision, PayGate, PayPress

__all__ = ["PayGuard"]

_log = logging.getLogger(__name__)
_RING_MS = 16
# Refusals the buyer is told about (a tip line); the others were never meant as a purchase.
_HINTS = {
    PayDecision.HOLD_TOO_SHORT: "hold-longer",
    PayDecision.HELD: "released-late",
    PayDecision.TOO_SOON: "too-soon",
}


class PayGuard(QObject):
    """Qt side of the Pay press-freshness gate."""

    confirmed = Signal()
    holdProgressChanged = Signal()
    hintChanged = Signal()
    armedChanged = Signal()

    def __init__(
        self, router: InputRouter, gate: PayGate, window: QWindow | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._router = router
        self._gate = gate
        self._window = window if window is not None else router.window
        self._screen_shown = False
        self._hint = ""
        self._progress = 0.0
        self._pointer_press: int | None = None
        self._ring = QTimer(self)
        self._ring.setInterval(_RING_MS)
        self._ring.timeout.connect(self.tick)
        self._window.activeChanged.connect(self._on_active_changed)

    @property
    def gate(self) -> PayGate:
        """The gate that decides."""
        return self._gate

    # ------------------------------------------------------------------ QML properties
    def _get_hold(self) -> bool:
        return self._gate.settings.hold_to_confirm

    def _get_progress(self) -> float:
        return self._progress

    def _get_hint(self) -> str:
        return self._hint

    def _get_armed(self) -> bool:
        return self._gate.armed

    #: Pay needs OK held until the ring is full.
    holdToConfirm = Property(bool, _get_hold, constant=True)
    #: 0.0-1.0 while OK is held in hold-to-confirm mode.
    holdProgress = Property(float, _get_progress, notify=holdProgressChanged)
    #: "" or a tip code: "hold-longer", "released-late", "too-soon".
    hint = Property(str, _get_hint, notify=hintChanged)
    #: The gate accepts presses (Product screen showing, window active).
    armed = Property(bool, _get_armed, notify=armedChanged)

    # ------------------------------------------------------------------ screen lifecycle
    @Slot()
    def arm(self) -> None:
        """The Product screen is now the visible screen."""
        self._screen_shown = True
        self._rearm()

    @Slot()
    def disarm(self) -> None:
        """The Product screen left."""
        self._screen_shown = False
        self._gate.disarm()
        self._stop_ring()
        self._set_hint("")
        self.armedChanged.emit()

    @Slot()
    def cancel(self) -> None:
        """Focus left the Pay control mid-press: that press can no longer pay."""
        self._gate.cancel()
        self._stop_ring()

    # ------------------------------------------------------------------ presses
    @Slot()
    def press(self) -> None:
        """OK went down on the Pay control (call from its key handler)."""
        current = self._router.current
        if current is None or current.action is not Action.OK:
            _log.info("Pay press ignored: not an OK key delivered by the input router")
            return
        decision = self._gate.press(
            PayPress(current.press_id, current.began_at, current.repeat, current.kind.value)
        )
        self._after_press(decision, f"{current.kind.value} press {current.press_id}")

    @Slot()
    def release(self) -> None:
        """OK came up on the Pay control (call from its key handler)."""
        current = self._router.current
        if current is None or current.action is not Action.OK:
            return
        self._after_release(
            self._gate.release(current.press_id), f"{current.kind.value} press {current.press_id}"
        )

    @Slot()
    def pointerPress(self) -> None:
        """A pointer (touch, mouse) went down on the Pay control."""
        self._pointer_press = self._router.new_press_id()
        clock = self._router.clock
        decision = self._gate.press(
            PayPress(self._pointer_press, clock.monotonic(), False, "pointer")
        )
        self._after_press(decision, f"pointer press {self._pointer_press}")

    @Slot()
    def pointerRelease(self) -> None:
        """The pointer came up on the Pay control."""
        press_id, self._pointer_press = self._pointer_press, None
        if press_id is None:
            return
        self._after_release(self._gate.release(press_id), f"pointer press {press_id}")

    @Slot()
    def tick(self) -> None:
        """Hold-to-confirm: advance the ring, and pay when it is full."""
        decision = self._gate.update()
        self._set_progress(self._gate.hold_progress())
        if decision is PayDecision.PAY:
            self._stop_ring()
            self._pay("hold completed")

    # ------------------------------------------------------------------ internals
    def _after_press(self, decision: PayDecision, what: str) -> None:
        if decision is PayDecision.PENDING:
            self._set_hint("")
            if self._gate.settings.hold_to_confirm:
                self._ring.start()
                self.tick()
            return
        if decision is not PayDecision.REPEAT:
            self._refused(decision, what)

    def _after_release(self, decision: PayDecision, what: str) -> None:
        self._stop_ring()
        if decision is PayDecision.PAY:
            self._pay(what)
        else:
            self._refused(decision, what)

    def _pay(self, what: str) -> None:
        _log.info("Pay confirmed (%s)", what)
        self._set_hint("")
        self.confirmed.emit()

    def _refused(self, decision: PayDecision, what: str) -> None:
        _log.info("Pay did not act on %s: %s", what, decision.value)
        hint = _HINTS.get(decision)
        if hint is not None:
            self._set_hint(hint)

    def _rearm(self) -> None:
        if self._screen_shown and self._window.isActive():
            self._gate.arm()
        else:
            self._gate.disarm()
        self._stop_ring()
        self._set_hint("")
        self.armedChanged.emit()

    def _on_active_changed(self) -> None:
        if self._screen_shown:
            self._rearm()

    def _stop_ring(self) -> None:
        self._ring.stop()
        self._set_progress(0.0)

    def _set_progress(self, value: float) -> None:
        if value != self._progress:
            self._progress = value
            self.holdProgressChanged.emit()

    def _set_hint(self, hint: str) -> None:
        if hint != self._hint:
            self._hint = hint
            self.hintChanged.emit()
