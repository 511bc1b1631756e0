"""The Scan and Bound screens: the QR, the wallet's steps, the countdown, the outcome.

One `BindFlow` of the device core per QR: it creates the session, waits (long-poll or RFC 8628
polling, back-off while offline, deadline at expiry), keeps the binding in the vault and
publishes a snapshot on every change, and once a second while the QR is up. This model turns
snapshots into words.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.qr import qr_source
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.worker import Job
from tvclient.device.bind import BindPhase, BindSnapshot
from tvclient.device.errors import DeviceError
from tvclient.device.models import Product
from tvclient.money import WALLET_RULES, Wallet

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["BOUND_CONTINUE_SECONDS", "BindModel", "ScanPhase"]

_log = logging.getLogger(__name__)

# How long the Bound confirmation stays before moving on by itself.
BOUND_CONTINUE_SECONDS = 4


class ScanPhase:
    """Values of `BindModel.phase` (QML compares against these strings)."""

    PREPARING = "preparing"
    WAITING = "waiting"
    EXPIRED = "expired"
    BOUND = "bound"
    FAILED = "failed"


@QmlElement
@uncreatable("Created by the app model.")
class BindModel(ViewModel):
    """One attempt to link a wallet: a bind flow followed until it ends."""

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
                "phase": ScanPhase.PREPARING, "title": "", "qrSource": "", "qrText": "",
                "steps": [], "countdownText": "", "secondsLeft": 0, "statusText": "",
                "boundTitle": "", "boundAccount": "", "continueText": "",
            },
            app,
        )
        self._app = app
        self._wallet: Wallet | None = None
        self._intent: Product | None = None
        self._snapshot: BindSnapshot | None = None
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

    @property
    def snapshot(self) -> BindSnapshot | None:
        """The flow's last snapshot."""
        return self._snapshot

    def start(self, wallet: Wallet, intent: Product | None) -> None:
        """A new bind flow (a new QR) for `wallet`, followed to its end."""
        self.cancel()
        self._wallet = wallet
        self._intent = intent
        self._snapshot = None
        self._bound_at = None
        self._show(phase=ScanPhase.PREPARING, qrSource="", qrText="")
        self._render()
        account = self._app.core
        # The lambda runs on the worker loop: the flow is made and driven there.
        self._job = self._app.worker.stream(
            lambda: account.bind_flow().stream(wallet), self._on_snapshot, self._on_error
        )

    @Slot()
    def renew(self) -> None:
        """A fresh code (the old one lapsed)."""
        if self._wallet is not None:
            self.start(self._wallet, self._intent)

    @Slot()
    def cancel(self) -> None:
        """Stop following; the flow deletes the session at the backend (Back)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        if self._bound_at is None:
            self._timer.stop()

    @Slot()
    def proceed(self) -> None:
        """Bound → on to what the buyer wanted."""
        if self._view["phase"] != ScanPhase.BOUND:
            return
        self._timer.stop()
        self._bound_at = None
        self._app.after_bound()

    def _on_snapshot(self, snapshot: BindSnapshot) -> None:
        self._snapshot = snapshot
        phase = snapshot.phase
        if phase is BindPhase.SHOWING_QR or (phase is BindPhase.OFFLINE and snapshot.qr_text):
            text = snapshot.qr_text or ""
            self._show(phase=ScanPhase.WAITING, qrSource=qr_source(text), qrText=text)
        elif phase in (BindPhase.IDLE, BindPhase.CREATING, BindPhase.OFFLINE):
            self._show(phase=ScanPhase.PREPARING)
        elif phase is BindPhase.BOUND and snapshot.binding is not None:
            self._job = None
            self._bound_at = self._app.services.clock.monotonic()
            self._show(phase=ScanPhase.BOUND)
            self._timer.start()
            self._render()
            self._app.on_bound(snapshot.binding)
            return
        elif phase is BindPhase.EXPIRED:
            self._job = None
            self._show(phase=ScanPhase.EXPIRED)
        elif phase is BindPhase.CANCELLED:
            self._job = None
        else:  # DECLINED, FAILED
            self._job = None
            self._show(phase=ScanPhase.FAILED)
            code = snapshot.failure.code if snapshot.failure else None
            self._app.purchase_model.show_bind_failure(phase.value.upper(), code, self._wallet)
            return
        self._render()

    def _on_error(self, exc: BaseException) -> None:
        self._job = None
        code = exc.code if isinstance(exc, DeviceError) else None
        if not isinstance(exc, DeviceError):
            _log.error("bind flow failed unexpectedly", exc_info=exc)
        self._show(phase=ScanPhase.FAILED)
        self._app.purchase_model.show_bind_failure("FAILED", code, self._wallet)

    @Slot()
    def tick(self) -> None:
        """The Bound screen's countdown to moving on."""
        if self._bound_at is None:
            self._timer.stop()
            return
        waited = self._app.services.clock.monotonic() - self._bound_at
        if waited >= BOUND_CONTINUE_SECONDS:
            self.proceed()
            return
        self._render()

    def _render(self) -> None:
        wallet = self._wallet
        if wallet is None:
            return
        app, tr = self._app, self._app.t
        name = WALLET_RULES[wallet].display_name
        phase = self._view["phase"]
        snapshot = self._snapshot
        left = snapshot.seconds_left if snapshot and snapshot.seconds_left is not None else 0
        offline = snapshot is not None and snapshot.phase is BindPhase.OFFLINE
        retry = math.ceil(snapshot.retry_in) if snapshot and snapshot.retry_in else 0
        countdown = ""
        if phase == ScanPhase.WAITING:
            countdown = tr("scan_expires_in", time=_clock_text(left))
        if offline:
            status = tr("scan_offline", seconds=retry)
        else:
            status = {
                ScanPhase.PREPARING: tr("scan_preparing"),
                ScanPhase.WAITING: tr("scan_waiting", wallet=name),
                ScanPhase.EXPIRED: tr("scan_expired"),
                ScanPhase.BOUND: "",
                ScanPhase.FAILED: "",
            }[phase]
        binding = snapshot.binding if snapshot else None
        target = (
            self._intent.title(app.lang.value) if self._intent is not None
            else tr("bound_target_store")
        )
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
            boundAccount=tr("bound_account", account=binding.account if binding else ""),
            continueText=tr("bound_continue", target=target, seconds=bound_left),
        )


def _clock_text(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
