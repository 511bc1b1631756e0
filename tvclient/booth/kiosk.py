"""The booth itself (Qt): the device app, locked down, cycling through visitors.

`Booth` builds the app's scene (`AppShell`) unchanged and layers the booth over it:

- a window event filter (`KioskFilter`) installed *before* the input layer's router, so it sees
  every device's input already normalised (remote colour keys, CEC, game controllers). It lets
  input through to the app during a visit, noting the time for the inactivity reset; while one
  of the booth's own screens is up (attract loop, countdown, staff PIN pad, staff menu) it takes
  the input for that screen instead. It ignores window-close requests and shortcut combinations
  (Alt+F4, Ctrl+Q...), and Back on the app's root screen, which would ask to leave the app.
- the booth's QML overlay (`tvclient/booth/qml/TvClient/Booth`), loaded into the app's engine
  and parented to the window's content item, above the app's screens.
- the visit cycle (`VisitCycle`), the visit statistics (`VisitLog`), the staff key sequence and
  the staff PIN, driven by one timer on an injected clock.

Between visitors the booth forgets the visitor on screen first (`forget_visitor`), then, on
the app's worker loop, revokes the binding through the merchant backend, clears the keyring
entries and the visitor's local state, and only then lets the next visit start.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QKeyEvent, QWindow
from PySide6.QtQml import QQmlComponent
from PySide6.QtQuick import QQuickItem

from tvclient.app.i18n import Language
from tvclient.app.input.hookup import InputHookup
from tvclient.app.input.pinpad import PinPadModel
from tvclient.app.qtcompat import emit
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.app.viewmodels.navigation import Screen
from tvclient.app.worker import Job
from tvclient.booth.config import (
    DEFAULT_LANGUAGE,
    DEFAULT_RESET_AFTER,
    LANGUAGES,
    RESET_AFTER_CHOICES,
    BoothConfig,
)
from tvclient.booth.errors import BoothError
from tvclient.booth.forget import clear_visitor_state, forget_visitor, refresh_after_reset
from tvclient.booth.idle import Change, Mode, VisitCycle
from tvclient.booth.sandbox import RemoteError, SandboxAccess
from tvclient.booth.staffkeys import KeySequence
from tvclient.booth.state import BoothState
from tvclient.booth.stats import VisitLog
from tvclient.booth.texts import BoothTexts
from tvclient.booth.viewmodel import BoothModel
from tvclient.booth.watchdog import Notifier
from tvclient.clock import Clock
from tvclient.device.errors import RequestError
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.store import StateStore

__all__ = ["EXIT_RESTART", "EXIT_STAFF", "QML_DIR", "Booth", "KioskFilter", "MenuItem"]

_log = logging.getLogger(__name__)

QML_DIR = Path(__file__).resolve().parent / "qml"
EXIT_STAFF = 0
# EX_TEMPFAIL: the service recipes restart the booth on any non-zero exit.
EXIT_RESTART = 75

K = Qt.Key
_COLOURS = {
    K.Key_Red.value: "red", K.Key_Green.value: "green",
    K.Key_Yellow.value: "yellow", K.Key_Blue.value: "blue",
}
_APPROVE_KEY = K.Key_Blue.value
_BACK_KEYS = {K.Key_Escape.value, K.Key_Back.value, K.Key_Backspace.value}
_UP, _DOWN = K.Key_Up.value, K.Key_Down.value
_OK_KEYS = {K.Key_Return.value, K.Key_Enter.value, K.Key_Select.value, K.Key_Space.value}
_SHORTCUT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_POINTER_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
                    QEvent.Type.TouchBegin)
_POINTER_RELEASES = (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd)
# A failed reset (backend or keyring briefly unavailable) is tried again after this long; after
# `_REVOKE_ATTEMPTS` failures to revoke, the binding is forgotten locally and swept at the
# sandbox instead, so the booth never stays stuck between visitors.
_RESET_RETRY_SECONDS = 5.0
_REVOKE_ATTEMPTS = 3
_ATTRACT_STEP_SECONDS = 3.5
_ATTRACT_STEPS = 3
_SHUTDOWN_TIMEOUT = 8.0
_FLOWS_SETTLE_SECONDS = 0.3


class MenuItem:
    """The staff menu's entries, in order."""

    APPROVE = "approve"
    LANGUAGE = "language"
    RESET_AFTER = "reset-after"
    RESET_STATS = "reset-stats"
    RESTART = "restart"
    EXIT = "exit"
    CLOSE = "close"

    ALL = (APPROVE, LANGUAGE, RESET_AFTER, RESET_STATS, RESTART, EXIT, CLOSE)


class KioskFilter(QObject):
    """The booth's window event filter: observes all input, takes it while a booth screen is up.

    It must be installed before the input layer's router: Qt calls the last-installed filter
    first, so the router normalises a device's key and re-sends it, and this filter then sees
    the normalised key (and every backend's injected key) exactly as the app would.
    """

    def __init__(self, booth: Booth, window: QWindow) -> None:
        super().__init__(window)
        self._booth = booth
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """True when the booth keeps the event from the app."""
        if watched is not self._window:
            return False
        kind = event.type()
        if kind == QEvent.Type.Close:
            return self._close_requested(event)
        if isinstance(event, QKeyEvent):
            return self._key(event)
        if kind in _POINTER_PRESSES:
            return self._booth.pointer_pressed()
        if kind in _POINTER_RELEASES:
            return self._booth.pointer_released()
        if kind == QEvent.Type.Wheel:
            self._booth.touch()
        return False

    def _close_requested(self, event: QEvent) -> bool:
        if self._booth.closing_allowed:
            return False
        event.ignore()
        _log.info("window close request ignored (kiosk)")
        return True

    def _key(self, event: QKeyEvent) -> bool:
        kind = event.type()
        if event.modifiers() & _SHORTCUT_MODIFIERS:
            # Alt+F4, Ctrl+Q, Ctrl+W and friends: nothing a visitor needs, all swallowed.
            if kind == QEvent.Type.KeyPress:
                self._booth.touch()
            return True
        if kind == QEvent.Type.KeyPress:
            return self._booth.key_pressed(event.key(), event.isAutoRepeat())
        if kind == QEvent.Type.KeyRelease:
            return self._booth.key_released(event.key())
        return False


class Booth(QObject):
    """The running booth: the app, its overlay, the visit cycle and the staff controls.

    Args:
        config: The start-up configuration.
        services: The device core for the booth's backend (built by `cli.build_device`).
        device_store: The device's settings store inside `services` (visitor state is cleared
            in it between visitors).
        booth_store: The booth's own state store (staff choices, staff PIN, statistics).
        staff: The staff PIN guard (on `booth_store`).
        visits: The visit statistics.
        clock: The booth's clock (inactivity, countdown, staff sequence, statistics). The
            device's own clock (`services.clock`) stays real time for the input layer.
        sandbox: The embedded sandbox, or None on a real backend (no staff approve then).
        timezone: Time zone for dates on staff screens and receipts.
        environ: The process environment (for the systemd notifications).
        tick_ms: How often the booth's timer runs.
    """

    #: The booth wants the process to end with this code (0 staff exit, 75 restart).
    finished = Signal(int)
    #: The mode changed ("attract", "visit", "countdown", "resetting").
    modeChanged = Signal(str)

    def __init__(
        self,
        config: BoothConfig,
        services: AppServices,
        *,
        device_store: StateStore,
        booth_store: StateStore,
        staff: PinGuard,
        visits: VisitLog,
        clock: Clock,
        sandbox: SandboxAccess | None,
        timezone: dt.tzinfo | None = None,
        environ: Mapping[str, str] | None = None,
        tick_ms: int = 200,
    ) -> None:
        super().__init__()
        self._config = config
        self._services = services
        self._device_store = device_store
        self._state = BoothState(booth_store)
        self._staff = staff
        self._visits = visits
        self._clock = clock
        self._sandbox = sandbox
        self._timezone = timezone or dt.UTC
        self._notifier = Notifier(environ or {}, clock)
        self._language = config.language or self._state.language() or DEFAULT_LANGUAGE
        reset_after = config.reset_after or self._state.reset_after() or DEFAULT_RESET_AFTER
        self._cycle = VisitCycle(clock, reset_after)
        self._texts = BoothTexts(self._language)
        self._sequence = KeySequence(clock)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._shell: AppShell | None = None
        self._filter: KioskFilter | None = None
        self._input: InputHookup | None = None
        self._overlay: QQuickItem | None = None
        self._pad: PinPadModel | None = None
        self._model: BoothModel | None = None
        # Staff layer over the cycle: "" (none), "pin" or "menu".
        self._staff_layer = ""
        self._staff_visit = False
        self._visit_run: int | None = None
        self._menu_index = 0
        self._confirm_stats = False
        self._swallowed_keys: set[int] = set()
        self._swallowed_pointer = False
        self._attract_since = clock.monotonic()
        # The reset in progress: its job, how often it failed, what to do once it is done.
        self._resetting = False
        self._reset_job: Job | None = None
        self._reset_failures = 0
        self._retry_at: float | None = None
        self._after_reset: Callable[[], None] | None = None
        self._startup = True
        self._app_started = False
        self._clean = False
        self._closing_allowed = False
        self._closed = False

    # ------------------------------------------------------------------ parts (tests, run.py)
    @property
    def shell(self) -> AppShell:
        """The app's scene."""
        if self._shell is None:
            raise BoothError("the booth has not started")
        return self._shell

    @property
    def model(self) -> BoothModel:
        """The overlay's view-model."""
        if self._model is None:
            raise BoothError("the booth has not started")
        return self._model

    @property
    def config(self) -> BoothConfig:
        """The start-up configuration."""
        return self._config

    @property
    def phone_url(self) -> str:
        """The base URL the booth advertises to phones (the QR's prefix, the staff menu)."""
        return self._config.public_url

    @property
    def cycle(self) -> VisitCycle:
        """The visit cycle."""
        return self._cycle

    @property
    def visits(self) -> VisitLog:
        """The visit statistics."""
        return self._visits

    @property
    def mode(self) -> Mode:
        """Where the visit cycle is."""
        return self._cycle.mode

    @property
    def staff_layer(self) -> str:
        """The staff screen on show: "", "pin" or "menu"."""
        return self._staff_layer

    @property
    def language(self) -> str:
        """The default language every visit starts in."""
        return self._language

    @property
    def ready(self) -> bool:
        """The attract loop is up and the next input starts a visit."""
        return self._cycle.mode is Mode.ATTRACT and not self._resetting

    @property
    def closing_allowed(self) -> bool:
        """Whether the window may close (only once staff asked to leave, or at shutdown)."""
        return self._closing_allowed

    # ------------------------------------------------------------------ start / stop
    def start(self) -> None:
        """Build the app and the overlay, lock the window down, show it, clean up, attract.

        Raises:
            BoothError: the booth's QML did not load (a broken install).
            AppStartError: the app's QML did not load.
        """
        options = AppOptions(
            fullscreen=self._config.fullscreen, language=self._language,
            timezone=self._timezone,
        )
        shell = AppShell(options, self._services, install_input=False)
        self._shell = shell
        window = shell.window
        # The booth's filter goes in first, so it sees keys after the router normalised them.
        self._filter = KioskFilter(self, window)
        window.installEventFilter(self._filter)
        self._input = InputHookup(shell)
        self._pad = PinPadModel(self._staff, purpose="verify")
        self._pad.accepted.connect(self._pin_accepted)
        self._pad.cancelled.connect(self._close_staff)
        self._pad.changed.connect(self._render_pad)
        self._model = BoothModel(self._pad, parent=shell.engine)
        self._pad.setParent(self._model)
        self._model.menuTapped.connect(self._menu_tapped)
        self._model.padTapped.connect(self._pad.activate)
        self._overlay = self._load_overlay(shell)
        shell.model.bindingChanged.connect(self._on_binding)
        shell.model.purchase_model.finished.connect(self._on_purchase)
        self._lock_window(window)
        self._render()
        if self._config.fullscreen:
            window.showFullScreen()
        else:
            window.resize(*shell.options.size)
            window.show()
        # X11 without a window manager (the X11 recipe) never activates a window by itself,
        # and an inactive window gets no keys.
        window.requestActivate()
        self._timer.start()
        self._begin_reset(None)

    def _load_overlay(self, shell: AppShell) -> QQuickItem:
        engine = shell.engine
        engine.addImportPath(str(QML_DIR))
        component = QQmlComponent(engine)
        component.loadFromModule("TvClient.Booth", "BoothOverlay")
        if component.isError():
            errors = "; ".join(e.toString() for e in component.errors())
            raise BoothError(f"the booth's screens did not load: {errors}")
        created = component.createWithInitialProperties(
            {"booth": self._model, "parent": shell.window.contentItem()}, engine.rootContext()
        )
        if not isinstance(created, QQuickItem):
            raise BoothError("the booth's overlay is not a visual item")
        created.setParent(shell.window)
        return created

    def _lock_window(self, window: QWindow) -> None:
        window.setFlags(window.flags() | Qt.WindowType.FramelessWindowHint)
        window.setCursor(QCursor(Qt.CursorShape.BlankCursor))

    def close(self) -> None:
        """Forget the current visitor (briefly, best effort), then take everything down."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._closing_allowed = True
        shell = self._shell
        if shell is not None and not self._clean:
            forget_visitor(shell.model, self._language)
            try:
                shell.worker.run_sync(self._reset_core, timeout=_SHUTDOWN_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - shutting down: report, never hang
                _log.warning("could not forget the last visitor before closing: %s", exc)
        if self._visits.current is not None:
            self._visits.end("shutdown", counted=not self._staff_visit)
        self._notifier.stopping()
        if shell is None:
            return
        if self._input is not None:
            self._input.close()
            self._input = None
        if self._filter is not None:
            shell.window.removeEventFilter(self._filter)
        self._after_reset = None
        # The timer goes now, on this (the GUI) thread, not whenever Python's cycle collector
        # reaches it. The overlay, its model and the filter go with the app's engine and
        # window (deleting the overlay here would leave QML holding a dead wrapper).
        shiboken6.delete(self._timer)
        shell.close()

    # ------------------------------------------------------------------ input (the filter)
    def key_pressed(self, key: int, repeat: bool) -> bool:
        """A key press reached the window; True keeps it from the app."""
        swallow = self._key_press(key, repeat)
        if swallow:
            self._swallowed_keys.add(key)
        return swallow

    def key_released(self, key: int) -> bool:
        """A key release; swallowed when its press was."""
        if key in self._swallowed_keys:
            self._swallowed_keys.discard(key)
            return True
        return False

    def _key_press(self, key: int, repeat: bool) -> bool:
        matched = False if repeat else self._sequence.press(_COLOURS.get(key, "other"))
        if self._staff_layer:
            self.touch()
            if self._staff_layer == "pin" and self._pad is not None:
                self._pad.handleKey(key)
            else:
                self._menu_key(key, repeat)
            return True
        if matched:
            self._open_pin()
            return True
        if self._cycle.mode is not Mode.VISIT:
            self._cycle_key(repeat)
            return True
        self._cycle.input()
        if key == _APPROVE_KEY and not repeat:
            self.approve_for_visitor()
        # Back where the app would ask "leave the app?": a kiosk has nowhere to go.
        return key in _BACK_KEYS and self._back_would_ask_to_quit()

    def _cycle_key(self, repeat: bool) -> None:
        """A key on the attract loop, the countdown, or while resetting (all swallowed)."""
        mode = self._cycle.mode
        if mode is Mode.ATTRACT and not repeat and self.ready:
            # Staff walking up to the attract loop start a "visit" with their first key.
            opened = self._sequence.progress == 1
            self._visit_run = self._sequence.run if opened else None
            self._apply(self._cycle.input())
        elif mode is Mode.COUNTDOWN:
            self._apply(self._cycle.input())

    def pointer_pressed(self) -> bool:
        """A click or touch; True keeps it from the app."""
        self._swallowed_pointer = self._pointer_press()
        return self._swallowed_pointer

    def _pointer_press(self) -> bool:
        mode = self._cycle.mode
        if self._staff_layer:
            self.touch()
            return False  # the staff screens' own items take the tap
        if mode is Mode.RESETTING:
            return True
        if mode is Mode.ATTRACT:
            if self.ready:
                self._visit_run = None
                self._apply(self._cycle.input())
            return True
        if mode is Mode.COUNTDOWN:
            self._apply(self._cycle.input())
            return True
        self._cycle.input()
        return False

    def pointer_released(self) -> bool:
        """The end of a click or touch; swallowed when its press was."""
        swallowed, self._swallowed_pointer = self._swallowed_pointer, False
        return swallowed

    def touch(self) -> None:
        """Activity that is nobody's key press (a wheel, a shortcut chord, the phone binding)."""
        self._apply(self._cycle.touch())

    def _back_would_ask_to_quit(self) -> bool:
        """Back here would open the app's "leave the app?" question, which a kiosk never asks."""
        app = self.shell.model
        if app.pin_model.open_ or app.dialog_model.open_:
            return False
        return app.connection_model.offline_ or app.navigator.top in (Screen.HOME,
                                                                       Screen.LANGUAGE)

    # ------------------------------------------------------------------ the visit cycle
    def tick(self) -> None:
        """Let time act: countdown, reset, retries, the attract loop's pictures, the watchdog."""
        self._notifier.ping()
        now = self._clock.monotonic()
        if self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            self._run_reset()
        if self._staff_layer and self._cycle.idle_seconds() >= self._cycle.reset_after:
            self._close_staff()
        self._apply(self._cycle.tick())
        if self._cycle.mode is Mode.ATTRACT or self._resetting:
            step = int((now - self._attract_since) // _ATTRACT_STEP_SECONDS) % _ATTRACT_STEPS
            self.model.show(attractStep=step)
        if self._cycle.mode is Mode.COUNTDOWN:
            self.model.show(secondsLeft=self._cycle.seconds_left())
        if self._staff_layer == "pin":
            self._render_pad()

    def _apply(self, change: Change) -> None:
        if change is Change.VISIT_STARTED:
            self._start_visit()
        elif change is Change.COUNTDOWN_STARTED:
            _log.info("no input for %.0f s: reset countdown", self._cycle.reset_after)
            self._set_mode(secondsLeft=self._cycle.seconds_left())
        elif change is Change.COUNTDOWN_CANCELLED:
            self._set_mode()
        elif change is Change.RESET_DUE:
            self._begin_reset("inactivity")

    def _set_mode(self, **extra: object) -> None:
        mode = self._cycle.mode
        if self._resetting:
            mode = Mode.RESETTING
        self.model.show(mode=mode.value, ready=self.ready, **extra)
        emit(self.modeChanged, mode.value)

    def _start_visit(self) -> None:
        self._clean = False
        self._staff_visit = False
        self._visits.start()
        self._set_mode()
        _log.info("visit started")
        account = self._services.account
        # Enrol now, while the visitor looks at the store: the keyring stayed empty in between.
        self.shell.worker.submit(account.ensure_enrolled, _ignore, self._enrol_failed)

    def _enrol_failed(self, exc: BaseException) -> None:
        _log.warning("the booth device could not enrol for this visit: %s", exc)

    def _on_binding(self) -> None:
        binding = self.shell.model.binding
        if binding is None or self._cycle.mode not in (Mode.VISIT, Mode.COUNTDOWN):
            return
        self._visits.bound(binding.wallet.value)
        self.touch()

    def _on_purchase(self, phase: str) -> None:
        if self._cycle.mode not in (Mode.VISIT, Mode.COUNTDOWN):
            return
        if phase == "succeeded":
            self._visits.purchased()
        self.touch()

    # ------------------------------------------------------------------ reset between visitors
    def _begin_reset(self, ended_by: str | None, then: Callable[[], None] | None = None) -> None:
        """Forget the visitor now on screen, then in the device core; `then` once done."""
        self._close_staff(reset=False)
        self._cycle.reset_now()
        self._resetting = True
        self._reset_failures = 0
        self._after_reset = then
        if self._visits.current is not None:
            visit = self._visits.end(ended_by or "reset", counted=not self._staff_visit)
            if visit is not None and not self._staff_visit:
                _log.info(
                    "visit ended (%s): bound %s, %d purchase(s)", ended_by,
                    "yes" if visit.bound_after is not None else "no", visit.purchases,
                )
        self._staff_visit = False
        self._attract_since = self._clock.monotonic()
        if self._shell is not None and not self._startup:
            forget_visitor(self._shell.model, self._language)
        self._apply_texts()
        self._set_mode(attractStep=0)
        self._run_reset()

    def _run_reset(self) -> None:
        self._retry_at = None
        if self._reset_job is not None:
            return  # the reset under way covers this one too; its end runs `_after_reset`
        self._reset_job = self.shell.worker.submit(
            self._reset_core, self._reset_done, self._reset_failed
        )

    async def _reset_core(self) -> None:
        """Revoke the binding at the backend, clear the keyring and the visitor's local state."""
        account = self._services.account
        if not self._startup:
            # A QR given up a moment ago is deleted at the backend with the device credential;
            # let that request go out before the credential is cleared.
            await self._services.clock.sleep(_FLOWS_SETTLE_SECONDS)
        revoked = True
        if account.binding_ref() is not None:
            try:
                await account.ensure_enrolled()
                await account.unbind()
            except RequestError as exc:
                if self._reset_failures + 1 < _REVOKE_ATTEMPTS:
                    raise
                revoked = False
                _log.warning(
                    "the binding could not be revoked through the backend (%s); forgetting it "
                    "here and sweeping the sandbox", exc.code,
                )
        await account.reset()
        clear_visitor_state(self._device_store)
        if self._sandbox is not None and (self._startup or not revoked):
            try:
                await self._sandbox.unlink_active()
            except RemoteError as exc:
                _log.warning("could not sweep leftover bindings at the sandbox: %s", exc)

    def _reset_done(self, _: None) -> None:
        self._reset_job = None
        self._resetting = False
        self._clean = True
        shell = self.shell
        refresh_after_reset(shell.model)
        self._cycle.reset_done()
        if self._startup:
            self._startup = False
            if not self._app_started:
                self._app_started = True
                shell.start_core()
            self._notifier.ready()
            _log.info("booth ready: phones open %s", self._config.public_url)
        self._set_mode()
        then, self._after_reset = self._after_reset, None
        if then is not None:
            then()

    def _reset_failed(self, exc: BaseException) -> None:
        self._reset_job = None
        self._reset_failures += 1
        _log.warning("forgetting the last visitor failed (attempt %d): %s",
                     self._reset_failures, exc)
        if self._after_reset is not None:
            # Staff are leaving: do not hold them hostage to a broken backend or keyring.
            then, self._after_reset = self._after_reset, None
            self._resetting = False
            then()
            return
        self._retry_at = self._clock.monotonic() + _RESET_RETRY_SECONDS

    # ------------------------------------------------------------------ staff
    def _open_pin(self) -> None:
        if self._visits.current is not None and self._visit_run == self._sequence.run:
            # The visit was started by the sequence's first key: it is staff, not a visitor.
            self._staff_visit = True
        self._staff_layer = "pin"
        if self._pad is not None:
            self._pad.reset()
        self._render_pad()
        self.model.show(staff="pin", notice="")
        _log.info("staff sequence entered: PIN pad open")

    def _pin_accepted(self) -> None:
        _log.info("staff PIN accepted: staff menu open")
        self._staff_layer = "menu"
        self._menu_index = 0
        self._confirm_stats = False
        self._render_menu()
        self.model.show(staff="menu", notice="")

    def _close_staff(self, *, reset: bool = True) -> None:
        if not self._staff_layer:
            return
        self._staff_layer = ""
        self._confirm_stats = False
        if self._pad is not None:
            self._pad.reset()
        self.model.show(staff="", notice="")
        if reset and self._staff_visit and self._cycle.mode in (Mode.VISIT, Mode.COUNTDOWN):
            self._begin_reset("staff")

    def _menu_key(self, key: int, repeat: bool) -> None:
        count = len(MenuItem.ALL)
        if key == _UP:
            self._menu_index = (self._menu_index - 1) % count
        elif key == _DOWN:
            self._menu_index = (self._menu_index + 1) % count
        elif key in _OK_KEYS and not repeat:
            self._activate(MenuItem.ALL[self._menu_index])
            return
        elif key in _BACK_KEYS and not repeat:
            self._close_staff()
            return
        else:
            return
        self._confirm_stats = False
        self._render_menu()

    def _menu_tapped(self, index: int) -> None:
        if self._staff_layer == "menu" and 0 <= index < len(MenuItem.ALL):
            self._menu_index = index
            self._activate(MenuItem.ALL[index])

    def _activate(self, item: str) -> None:
        """Carry out one staff menu entry."""
        confirming = self._confirm_stats
        self._confirm_stats = False
        if item == MenuItem.APPROVE:
            if self.approve_for_visitor():
                self._close_staff()
                return
        elif item == MenuItem.LANGUAGE:
            following = LANGUAGES[(LANGUAGES.index(self._language) + 1) % len(LANGUAGES)]
            self.set_default_language(following)
        elif item == MenuItem.RESET_AFTER:
            choices = sorted({*RESET_AFTER_CHOICES, round(self._cycle.reset_after)})
            later = [c for c in choices if c > self._cycle.reset_after]
            self.set_reset_after(float(later[0] if later else choices[0]))
        elif item == MenuItem.RESET_STATS:
            if confirming:
                self._visits.reset()
                self.model.show(notice=self._texts.get("notice_stats_reset"))
                _log.info("visit statistics reset by staff")
            else:
                self._confirm_stats = True
        elif item == MenuItem.RESTART:
            self.leave(EXIT_RESTART)
            return
        elif item == MenuItem.EXIT:
            self.leave(EXIT_STAFF)
            return
        elif item == MenuItem.CLOSE:
            self._close_staff()
            return
        self._render_menu()

    def set_default_language(self, language: str) -> None:
        """Staff chose the default language (visits start in it from the next reset)."""
        self._language = language
        self._state.set_language(language)
        self._apply_texts()

    def set_reset_after(self, seconds: float) -> None:
        """Staff chose the inactivity timeout."""
        self._cycle.reset_after = seconds
        self._state.set_reset_after(seconds)

    def leave(self, code: int) -> None:
        """Staff exit (0) or restart (75): forget the visitor, then ask to end the process."""
        ended_by = "restart" if code == EXIT_RESTART else "staff-exit"
        _log.info("staff asked to %s", "restart" if code == EXIT_RESTART else "exit")
        self._begin_reset(ended_by, then=lambda: self._finish(code))

    def _finish(self, code: int) -> None:
        self._closing_allowed = True
        self._timer.stop()
        self._notifier.stopping()
        emit(self.finished, code)

    def approve_for_visitor(self) -> bool:
        """The staff key: agree to the QR on screen as a demo buyer (visitors without a phone)."""
        tr = self._texts.get
        if self._sandbox is None:
            self.model.show(notice=tr("notice_approve_unavailable"))
            return False
        app = self.shell.model
        bind = app.bind_model
        if app.navigator.top is not Screen.SCAN or bind.view("phase") != "waiting":
            self.model.show(notice=tr("notice_no_code"))
            return False
        qr_text = str(bind.view("qrText"))
        sandbox = self._sandbox
        self.touch()
        self.shell.worker.submit(
            lambda: sandbox.approve(qr_text), self._approved, self._approve_failed
        )
        return True

    def _approved(self, _: object) -> None:
        _log.info("QR approved by staff for a demo buyer")
        self.model.show(notice=self._texts.get("notice_approved"))

    def _approve_failed(self, exc: BaseException) -> None:
        _log.warning("staff approve failed: %s", exc)
        self.model.show(notice=self._texts.get("notice_approve_failed", reason=str(exc)))

    # ------------------------------------------------------------------ rendering
    def _apply_texts(self) -> None:
        self._texts = BoothTexts(self._language)
        self._render()

    def _render(self) -> None:
        model = self.model
        model.show(
            texts=self._texts.all(), demo=self._config.embedded,
            countdown=self._cycle.countdown, phonesOk=self._config.phones_can_reach,
        )
        if self._staff_layer == "menu":
            self._render_menu()
        elif self._staff_layer == "pin":
            self._render_pad()

    def _render_pad(self) -> None:
        pad, tr = self._pad, self._texts.get
        if pad is None:
            return
        until = self._staff.locked_until()
        if until is not None:
            left = max(0, int((until - self._clock.now()).total_seconds() + 0.999))
            error = tr("pin_locked", time=f"{left // 60}:{left % 60:02d}")
        elif pad.property("error") == "wrong":
            error = tr("pin_wrong", attempts=self._staff.attempts_left())
        else:
            error = ""
        labels = {"delete": "\u232b", "enter": tr("pin_key_enter")}
        self.model.show(
            padError=error, padKeys=[labels.get(str(k), str(k)) for k in pad.property("keys")]
        )

    def _render_menu(self) -> None:
        tr = self._texts.get
        summary = self._visits.summary()
        average = summary.average_bind_seconds
        share = f" ({round(100 * summary.binds / summary.visits)}%)" if summary.visits else ""
        rows = [
            {"label": tr("stats_visits"), "value": str(summary.visits)},
            {"label": tr("stats_binds"), "value": f"{summary.binds}{share}"},
            {"label": tr("stats_purchases"), "value": str(summary.purchases)},
            {
                "label": tr("stats_time_to_bind"),
                "value": tr("stats_none") if average is None
                else f"{int(average) // 60}:{int(average) % 60:02d}",
            },
        ]
        since = summary.since.astimezone(self._timezone).strftime("%Y-%m-%d %H:%M")
        url = self._config.public_url
        if not self._config.embedded:
            phones = tr("phones_real", url=self._config.backend or "")
        elif self._config.phones_can_reach:
            phones = tr("phones_ok", url=url)
        else:
            phones = tr("phones_local", url=url)
        notes = [tr("stats_since", date=since), phones,
                 tr("stats_log", path=str(self._visits.csv_path))]
        approvable = self._sandbox is not None and self._qr_waiting()
        labels = {
            MenuItem.APPROVE: tr("menu_approve") if approvable else tr("menu_approve_none"),
            MenuItem.LANGUAGE: tr("menu_language", language=Language(self._language).autonym),
            MenuItem.RESET_AFTER: tr("menu_reset_after", seconds=f"{self._cycle.reset_after:g}"),
            MenuItem.RESET_STATS: tr("menu_reset_stats_confirm") if self._confirm_stats
            else tr("menu_reset_stats"),
            MenuItem.RESTART: tr("menu_restart"),
            MenuItem.EXIT: tr("menu_exit"),
            MenuItem.CLOSE: tr("menu_close"),
        }
        items = [
            {"id": item, "label": labels[item],
             "enabled": approvable if item == MenuItem.APPROVE else True}
            for item in MenuItem.ALL
        ]
        self.model.show(
            statsRows=rows, statsNotes=notes, menuItems=items, menuIndex=self._menu_index,
        )

    def _qr_waiting(self) -> bool:
        app = self.shell.model
        return app.navigator.top is Screen.SCAN and app.bind_model.view("phase") == "waiting"


def _ignore(_: object) -> None:
    """A result nobody needs."""
