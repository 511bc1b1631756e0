"""The Scan and Bound screens: the QR, the wallet's steps, the countdown, the outcome."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from tvclient.app.ports import BackendUnreachable, BindState, BindUpdate, CoreError, Product
from tvclient.app.qr import qr_source
from tvclient.app.viewmodels.base import ViewModel, shown
from tvclient.app.worker import Job
from tvclient.money import WALLET_RULES, Wallet

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["BOUND_CONTINUE_SECONDS", "BindModel", "BindPhase"]

_log = logging.getLogger(__name__)

# How long the Bound confirmation stays before moving on by itself.
BOUND_CONTINUE_SECONDS = 4


class BindPhase:
    """Values of `BindModel.phase` (QML compares against these strings)."""

    PREPARING = "preparing"
    WAITING = "waiting"
    EXPIRED = "expired"
    BOUND = "bound"
    FAILED = "failed"


@QmlElement
@QmlUncreatable("Created by the app model.")
class BindModel(ViewModel):
    """One attempt to link a wallet: a bind session followed until it ends."""

    viewChanged = Signal()

    phase = shown(str, "phase", viewChanged)
    title = shown(str, "title", viewChanged)
    qrSource = shown(str, "qrSource", viewChanged)
    qrText = shown(str, "qrText", viewChanged)
    steps = shown(list, "steps", viewChanged)
    countdownText = shown(str, "countdownText", viewChanged)
    secondsLeft = shown(int, "secondsLeft", viewChanged)
    statusText = shown(str, "statusText", viewChanged)
    boundTitle = shown(str, "boundTitle", viewChanged)
    boundAccount = shown(str, "boundAccount", viewChanged)
    continueText = shown(str, "continueText", viewChanged)

    def __init__(self, app: AppModel, *, tick_ms: int = 250) -> None:
        super().__init__(
            {
                "phase": BindPhase.PREPARING, "title": "", "qrSource": "", "qrText": "",
                "steps": [], "countdownText": "", "secondsLeft": 0, "statusText": "",
                "boundTitle": "", "boundAccount": "", "continueText": "",
            },
            app,
        )
        self._app = app
        self._wallet: Wallet | None = None
        self._intent: Product | None = None
        self._update: BindUpdate | None = None
        self._job: Job | None = None
        self._bound_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        app.languageChanged.connect(self._render)

    @property
    def wallet(self) -> Wallet | None:
        """The wallet being linked."""
        return self._wallet

    def start(self, wallet: Wallet, intent: Product | None) -> None:
        """Open a bind session for `wallet` and follow it."""
        self.cancel()
        self._wallet = wallet
        self._intent = intent
        self._update = None
        self._bound_at = None
        self._show(phase=BindPhase.PREPARING, qrSource="", qrText="")
        self._render()
        self._job = self._app.worker.stream(
            lambda: self._app.core.bind(wallet), self._on_update, self._on_error, self._on_end
        )

    @Slot()
    def renew(self) -> None:
        """A fresh code (the old one lapsed, or the buyer asked)."""
        if self._wallet is not None:
            self.start(self._wallet, self._intent)

    @Slot()
    def cancel(self) -> None:
        """Stop following the session; the core cancels it at the backend."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._timer.stop()

    @Slot()
    def proceed(self) -> None:
        """Bound → on to what the buyer wanted."""
        if self._view["phase"] != BindPhase.BOUND:
            return
        self._timer.stop()
        self._bound_at = None
        self._app.after_bound()

    def _on_update(self, update: BindUpdate) -> None:
        self._app.connection_model.ok()
        self._update = update
        if update.state is BindState.PENDING:
            self._show(
                phase=BindPhase.WAITING, qrSource=qr_source(update.qr_text), qrText=update.qr_text
            )
            self._timer.start()
        elif update.state is BindState.BOUND and update.binding is not None:
            self._job = None
            self._bound_at = self._app.services.clock.monotonic()
            self._show(phase=BindPhase.BOUND)
            self._timer.start()
            self._render()
            self._app.on_bound(update.binding)
            return
        elif update.state is BindState.EXPIRED:
            self._timer.stop()
            self._show(phase=BindPhase.EXPIRED)
        else:
            self._job = None
            self._timer.stop()
            self._show(phase=BindPhase.FAILED)
            self._app.purchase_model.show_bind_failure(update.state, update.failure_code)
            return
        self._render()

    def _on_end(self) -> None:
        self._job = None

    def _on_error(self, exc: BaseException) -> None:
        self._job = None
        self._timer.stop()
        if isinstance(exc, BackendUnreachable):
            self._app.connection_model.report(self._retry_after_offline)
            return
        code = exc.code if isinstance(exc, CoreError) else "INTERNAL"
        if not isinstance(exc, CoreError):
            _log.error("bind failed unexpectedly", exc_info=exc)
        self._show(phase=BindPhase.FAILED)
        self._app.purchase_model.show_bind_failure(BindState.FAILED, code)

    def _retry_after_offline(self) -> None:
        from tvclient.app.viewmodels.navigation import Screen

        if self._app.navigator.top is Screen.SCAN:
            self.renew()
        else:
            self._app.connection_model.ok()

    @Slot()
    def tick(self) -> None:
        """Update the countdowns (the QR's expiry, the Bound screen's move on)."""
        if self._bound_at is not None:
            waited = self._app.services.clock.monotonic() - self._bound_at
            if waited >= BOUND_CONTINUE_SECONDS:
                self.proceed()
                return
        self._render()

    def _seconds_left(self) -> int:
        if self._update is None:
            return 0
        left = (self._update.expires_at - self._app.services.clock.now()).total_seconds()
        return max(0, math.ceil(left))

    def _render(self) -> None:
        wallet = self._wallet
        if wallet is None:
            return
        app, tr = self._app, self._app.tr
        name = WALLET_RULES[wallet].display_name
        phase = self._view["phase"]
        left = self._seconds_left()
        countdown = ""
        if phase == BindPhase.WAITING:
            countdown = tr("scan_expires_in", time=_clock_text(left))
        status = {
            BindPhase.PREPARING: tr("scan_preparing"),
            BindPhase.WAITING: tr("scan_waiting", wallet=name),
            BindPhase.EXPIRED: tr("scan_expired"),
            BindPhase.BOUND: "",
            BindPhase.FAILED: "",
        }[phase]
        account = self._update.binding.account if self._update and self._update.binding else ""
        if self._intent is not None:
            target = self._intent.title(app.lang.value)
        else:
            target = tr("bound_target_store")
        bound_left = 0
        if self._bound_at is not None:
            waited = app.services.clock.monotonic() - self._bound_at
            bound_left = max(0, math.ceil(BOUND_CONTINUE_SECONDS - waited))
        self._show(
            title=tr("scan_title", wallet=name),
            steps=[tr(f"scan_step_{i}", wallet=name) for i in range(1, 5)],
            countdownText=countdown,
            secondsLeft=left,
            statusText=status,
            boundTitle=tr("bound_title", wallet=name),
            boundAccount=tr("bound_account", account=account),
            continueText=tr("bound_continue", target=target, seconds=bound_left),
        )


def _clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
