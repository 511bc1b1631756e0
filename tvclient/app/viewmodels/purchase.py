"""The Paying, Receipt and Failure screens: one purchase intent followed to its outcome.

One `PurchaseFlow` of the device core per press of Pay: one idempotency key from the press to
the answer, across retries, network loss and restarts. This model only words its snapshots. A
payment whose outcome is not known yet reads "checking with your wallet" for as long as it
takes; a payment the device can no longer find out about reads "check your wallet", never
"failed"; only what the backend declared failed (or refused) is shown as a failure.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.i18n import format_amount, format_time
from tvclient.app.qtcompat import emit
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.failures import (
    FailureAction,
    FailureText,
    bind_failure,
    purchase_failure,
    unknown_outcome,
)
from tvclient.app.viewmodels.navigation import Screen
from tvclient.app.worker import Job
from tvclient.device.errors import DeviceError, PurchasePendingError
from tvclient.device.models import Product
from tvclient.device.observe import follow
from tvclient.device.purchase import PurchasePhase as Phase
from tvclient.device.purchase import PurchaseSnapshot
from tvclient.money import WALLET_RULES, Money, Wallet

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["CHECKING_AFTER_SECONDS", "PayingPhase", "PurchaseModel"]

_log = logging.getLogger(__name__)

# A payment still unconfirmed after this long is shown as "checking with your wallet".
CHECKING_AFTER_SECONDS = 2.0


class PayingPhase:
    """Values of `PurchaseModel.phase`."""

    IDLE = "idle"
    PAYING = "paying"
    CHECKING = "checking"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@QmlElement
@uncreatable("Created by the app model.")
class PurchaseModel(ViewModel):
    """The purchase in progress, then its receipt or why it did not go through."""

    viewChanged = Signal()
    finished = Signal(str)  # the phase it ended in: "succeeded" or "failed"
    # Typed failures (code, next step), for the booth's statistics and for tests:
    purchaseFailed = Signal(str, str)
    bindFailed = Signal(str, str)

    phase = shown(str, "phase", viewChanged)
    title = shown(str, "title", viewChanged)
    statusText = shown(str, "statusText", viewChanged)
    detailText = shown(str, "detailText", viewChanged)
    receiptRows = shown(list, "receiptRows", viewChanged)
    failureTitle = shown(str, "failureTitle", viewChanged)
    failureReason = shown(str, "failureReason", viewChanged)
    failureNextStep = shown(str, "failureNextStep", viewChanged)
    failureActionLabel = shown(str, "failureActionLabel", viewChanged)
    failureShowsStore = shown(bool, "failureShowsStore", viewChanged)

    def __init__(self, app: AppModel, *, tick_ms: int = 250) -> None:
        super().__init__(
            {
                "phase": PayingPhase.IDLE, "title": "", "statusText": "", "detailText": "",
                "receiptRows": [], "failureTitle": "", "failureReason": "",
                "failureNextStep": "", "failureActionLabel": "", "failureShowsStore": True,
            },
            app,
        )
        self._app = app
        self._job: Job | None = None
        self._product: Product | None = None
        self._amount: Money | None = None
        self._wallet: Wallet | None = None
        self._snapshot: PurchaseSnapshot | None = None
        self._started_at = 0.0
        self._failure: FailureText | None = None
        self._failure_from_bind = False
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        app.languageChanged.connect(self._render)

    @property
    def busy(self) -> bool:
        """A purchase is being followed."""
        return self._job is not None

    @property
    def snapshot(self) -> PurchaseSnapshot | None:
        """The flow's last snapshot."""
        return self._snapshot

    # ------------------------------------------------------------------ following a purchase
    def start(self, product: Product, amount: Money) -> None:
        """Buy `product` for `amount`: one intent, one idempotency key, followed to the end."""
        if self.busy:
            _log.warning("a second purchase was asked for while one is in progress; ignored")
            return
        account = self._app.core
        title = product.title(self._app.lang.value)

        async def snapshots() -> AsyncIterator[PurchaseSnapshot]:
            flow = account.purchase_flow()
            async for snapshot in follow(flow, account.pay(product.id, title, amount, flow=flow)):
                yield snapshot

        self._product, self._amount = product, amount
        self._wallet = self._app.binding.wallet if self._app.binding else None
        self._follow(snapshots, PayingPhase.PAYING)

    def resume(self) -> None:
        """Follow what an earlier run left unfinished (nothing happens when nothing is)."""
        if self.busy:
            return
        account = self._app.core

        async def snapshots() -> AsyncIterator[PurchaseSnapshot]:
            for intent in account.pending_purchases():
                flow = account.purchase_flow()
                async for snapshot in follow(flow, account.resume(intent, flow=flow)):
                    yield snapshot

        self._product, self._amount, self._wallet = None, None, None
        self._follow(snapshots, PayingPhase.IDLE)

    def stop(self) -> None:
        """Stop following (the app is closing): the intent stays pending for the next start."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self._timer.stop()

    def _follow(self, stream: Callable[[], AsyncIterator[PurchaseSnapshot]], phase: str) -> None:
        self._snapshot = None
        self._failure = None
        self._started_at = self._app.services.clock.monotonic()
        self._show(phase=phase)
        if phase != PayingPhase.IDLE:
            self._timer.start()
        self._render()
        self._job = self._app.worker.stream(stream, self._on_snapshot, self._on_error, self._ended)

    def _on_snapshot(self, snapshot: PurchaseSnapshot) -> None:
        self._app.connection_model.ok()
        self._snapshot = snapshot
        if snapshot.purchase is not None:
            self._wallet = snapshot.purchase.wallet
        if snapshot.amount is not None:
            self._amount = snapshot.amount
        if self._view["phase"] == PayingPhase.IDLE and not snapshot.phase.final:
            # A purchase pressed in an earlier run: show that it is being checked.
            self._started_at -= CHECKING_AFTER_SECONDS
            self._show(phase=PayingPhase.CHECKING)
            self._timer.start()
            self._app.navigator.push(Screen.PAYING)
        phase = snapshot.phase
        if phase is Phase.SUCCEEDED:
            self._job = None
            self._timer.stop()
            self._show(phase=PayingPhase.SUCCEEDED)
            self._render()
            self._app.show_outcome(Screen.RECEIPT)
            self._app.account_model.purchase_finished()
            self._app.product_model.refresh()
            emit(self.finished, PayingPhase.SUCCEEDED)
        elif phase is Phase.FAILED:
            code = snapshot.failure.code if snapshot.failure else None
            self._fail(purchase_failure(code, step=snapshot.next_step))
        elif phase is Phase.UNKNOWN:
            self._fail(unknown_outcome())
        elif phase is Phase.DEFERRED:
            self._job = None
            self._timer.stop()
        else:
            self.tick()

    def _ended(self) -> None:
        self._job = None
        if self._view["phase"] == PayingPhase.IDLE:
            self._timer.stop()

    def _on_error(self, exc: BaseException) -> None:
        self._job = None
        self._timer.stop()
        if self._view["phase"] == PayingPhase.IDLE:
            _log.warning("could not follow an unfinished purchase: %s", exc)
            return
        if isinstance(exc, PurchasePendingError):
            # An earlier press has no answer yet: find out how it ended before anything else.
            self._show(phase=PayingPhase.IDLE)
            self.resume()
            return
        if isinstance(exc, DeviceError):
            self._fail(purchase_failure(exc.code, field=getattr(exc, "field", None)))
        else:
            _log.error("purchase failed unexpectedly", exc_info=exc)
            self._fail(purchase_failure(None))

    def _fail(self, failure: FailureText, *, from_bind: bool = False) -> None:
        self._job = None
        self._timer.stop()
        self._failure = failure
        self._failure_from_bind = from_bind
        self._show(phase=PayingPhase.FAILED)
        self._render()
        if failure.binding_lost:
            self._app.set_binding(None)
        self._app.show_outcome(Screen.FAILURE)
        if from_bind:
            emit(self.bindFailed, failure.code, failure.step.value)
        else:
            self._app.account_model.purchase_finished()
            self._app.product_model.refresh()
            emit(self.purchaseFailed, failure.code, failure.step.value)
            emit(self.finished, PayingPhase.FAILED)

    def show_bind_failure(self, state: str, code: str | None, wallet: Wallet | None) -> None:
        """A bind session ended declined or failed: explain on the Failure screen."""
        self._wallet = wallet
        self._snapshot = None
        self._fail(bind_failure(state, code), from_bind=True)

    @Slot()
    def tick(self) -> None:
        """Move from "paying" to "checking with your wallet" when it takes a while."""
        waited = self._app.services.clock.monotonic() - self._started_at
        if self._view["phase"] == PayingPhase.PAYING and waited >= CHECKING_AFTER_SECONDS:
            self._show(phase=PayingPhase.CHECKING)
        self._render()

    # ------------------------------------------------------------------ leaving
    @Slot()
    def done(self) -> None:
        """Receipt → the store."""
        self._show(phase=PayingPhase.IDLE)
        self._app.navigator.reset(Screen.HOME)

    @Slot()
    def failureAction(self) -> None:
        """The Failure screen's main button."""
        failure = self._failure or purchase_failure(None)
        self._show(phase=PayingPhase.IDLE)
        if self._failure_from_bind:
            if failure.action is FailureAction.STORE:
                self._app.goHome()
            else:
                self._app.navigator.pop()  # back to choosing a wallet
            return
        if failure.action is FailureAction.BIND:
            self._app.retry_product()
            self._app.start_link(self._app.selected)
        elif failure.action is FailureAction.RETRY:
            self._app.retry_product()
        else:
            self._app.goHome()

    def leave_failure(self) -> None:
        """Back on the Failure screen: where the buyer came from."""
        self._show(phase=PayingPhase.IDLE)
        if self._failure_from_bind:
            self._app.navigator.pop()
        else:
            self._app.retry_product()

    # ------------------------------------------------------------------ texts
    def _render(self) -> None:
        app, tr = self._app, self._app.t
        snapshot = self._snapshot
        wallet_name = WALLET_RULES[self._wallet].display_name if self._wallet else tr(
            "wallet_generic"
        )
        item = snapshot.title if snapshot and snapshot.title else (
            self._product.title(app.lang.value) if self._product else ""
        )
        amount = format_amount(self._amount, app.lang) if self._amount else ""
        phase = self._view["phase"]
        view: dict[str, object] = {}
        if phase == PayingPhase.CHECKING:
            if snapshot is not None and snapshot.offline:
                retry = math.ceil(snapshot.retry_in or 0)
                detail = tr("checking_offline", seconds=retry)
            else:
                detail = tr("checking_detail", amount=amount, item=item)
            view.update(
                title=tr("paying_title"),
                statusText=tr("checking_status", wallet=wallet_name),
                detailText=detail,
            )
        elif phase == PayingPhase.PAYING:
            view.update(
                title=tr("paying_title"),
                statusText=tr("paying_status", amount=amount, wallet=wallet_name),
                detailText=tr("paying_detail", item=item),
            )
        elif phase == PayingPhase.SUCCEEDED and snapshot is not None and snapshot.receipt:
            receipt = snapshot.receipt
            paid_with = WALLET_RULES[receipt.wallet].display_name
            if receipt.account:
                paid_with += f" · {receipt.account}"
            view.update(
                title=tr("receipt_title"),
                receiptRows=[
                    {"key": "item", "label": tr("receipt_item"), "value": receipt.item},
                    {"key": "amount", "label": tr("receipt_amount"),
                     "value": format_amount(receipt.amount, app.lang)},
                    {"key": "wallet", "label": tr("receipt_wallet"), "value": paid_with},
                    {"key": "order", "label": tr("receipt_order"), "value": receipt.order_ref},
                    {"key": "time", "label": tr("receipt_time"),
                     "value": format_time(receipt.paid_at, app.lang, app.timezone)},
                ],
            )
        if self._failure is not None:
            failure = self._failure
            labels = {
                FailureAction.BIND: tr("fail_action_bind"),
                FailureAction.RETRY: tr("fail_action_retry"),
                FailureAction.STORE: tr("back_to_store"),
            }
            params = {"wallet": wallet_name, "item": item, "amount": amount}
            view.update(
                failureTitle=tr(failure.title, **params),
                failureReason=tr(failure.reason, **params),
                failureNextStep=tr(failure.next_step, **params),
                failureActionLabel=labels[failure.action],
                failureShowsStore=failure.action is not FailureAction.STORE,
            )
        if view:
            self._show(**view)
