"""The Paying, Receipt and Failure screens: one purchase followed to its outcome.

An outcome that is not known yet is shown as "checking with your wallet" for as long as it
takes; this model only shows a failure the backend declared (or a request it refused).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from tvclient.app.i18n import format_amount, format_time
from tvclient.app.ports import BackendUnreachable, CoreError, Product, Purchase
from tvclient.app.viewmodels.base import ViewModel, shown
from tvclient.app.viewmodels.failures import (
    FailureAction,
    FailureText,
    bind_failure,
    purchase_failure,
)
from tvclient.app.viewmodels.navigation import Screen
from tvclient.app.worker import Job
from tvclient.money import WALLET_RULES, Money

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["CHECKING_AFTER_SECONDS", "PurchaseModel", "PurchasePhase"]

_log = logging.getLogger(__name__)

# A payment still unconfirmed after this long is shown as "checking with your wallet".
CHECKING_AFTER_SECONDS = 2.0


class PurchasePhase:
    """Values of `PurchaseModel.phase`."""

    IDLE = "idle"
    PAYING = "paying"
    CHECKING = "checking"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@QmlElement
@QmlUncreatable("Created by the app model.")
class PurchaseModel(ViewModel):
    """The purchase in progress, then its receipt or the reason it failed."""

    viewChanged = Signal()
    finished = Signal(str)  # the phase it ended in: "succeeded" or "failed"

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
                "phase": PurchasePhase.IDLE, "title": "", "statusText": "", "detailText": "",
                "receiptRows": [], "failureTitle": "", "failureReason": "",
                "failureNextStep": "", "failureActionLabel": "", "failureShowsStore": True,
            },
            app,
        )
        self._app = app
        self._job: Job | None = None
        self._product: Product | None = None
        self._amount: Money | None = None
        self._latest: Purchase | None = None
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
    def latest(self) -> Purchase | None:
        """The last state the core reported."""
        return self._latest

    # ------------------------------------------------------------------ following a purchase
    def start(self, product: Product, amount: Money) -> None:
        """Buy `product` for `amount` (one intent: the core keeps one idempotency key)."""
        if self.busy:
            _log.warning("a second purchase was asked for while one is in progress; ignored")
            return
        self._product, self._amount = product, amount
        self._follow(lambda: self._app.core.purchase(product, amount))

    def resume(self) -> None:
        """Follow a purchase an earlier run left unfinished (nothing happens when none)."""
        if not self.busy:
            self._follow(self._app.core.resume, quiet_until_first=True)

    def _follow(
        self, work: Callable[[], AsyncIterator[Purchase]], *, quiet_until_first: bool = False
    ) -> None:
        self._latest = None
        self._failure = None
        self._started_at = self._app.services.clock.monotonic()
        if not quiet_until_first:
            self._show(phase=PurchasePhase.PAYING)
            self._timer.start()
        self._render()
        self._job = self._app.worker.stream(work, self._on_update, self._on_error, self._on_end)

    def _on_update(self, purchase: Purchase) -> None:
        self._app.connection_model.ok()
        first = self._latest is None
        self._latest = purchase
        if first and self._view["phase"] == PurchasePhase.IDLE:
            # A purchase from an earlier run: show it being checked.
            self._show(phase=PurchasePhase.CHECKING)
            self._timer.start()
            self._app.navigator.push(Screen.PAYING)
        if not purchase.final:
            self.tick()
            return
        self._job = None
        self._timer.stop()
        if purchase.paid:
            self._show(phase=PurchasePhase.SUCCEEDED)
            self._render()
            self._app.show_outcome(Screen.RECEIPT)
            self._app.account_model.purchase_finished()
            self.finished.emit(PurchasePhase.SUCCEEDED)
        else:
            self._fail(purchase_failure(purchase.failure_code))

    def _on_end(self) -> None:
        if self._job is not None and self._latest is None:
            # resume() found nothing to follow.
            self._job = None
            self._timer.stop()
            self._show(phase=PurchasePhase.IDLE)
            return
        self._job = None

    def _on_error(self, exc: BaseException) -> None:
        self._job = None
        if isinstance(exc, BackendUnreachable):
            # The outcome is unknown, not failed: keep checking, resume when it is back.
            if self._view["phase"] in (PurchasePhase.PAYING, PurchasePhase.CHECKING):
                self._show(phase=PurchasePhase.CHECKING)
                self._render()
                self._app.connection_model.report(self.resume)
            return
        self._timer.stop()
        if self._view["phase"] == PurchasePhase.IDLE:
            _log.warning("could not look for an unfinished purchase: %s", exc)
            return
        if isinstance(exc, CoreError):
            self._fail(purchase_failure(exc.code))
        else:
            _log.error("purchase failed unexpectedly", exc_info=exc)
            self._fail(purchase_failure(None))

    def _fail(self, failure: FailureText, *, from_bind: bool = False) -> None:
        self._failure = failure
        self._failure_from_bind = from_bind
        if failure.binding_lost is not None:
            wallet = self._latest.wallet if self._latest else None
            self._app.binding_lost(failure.binding_lost, wallet)
        self._show(phase=PurchasePhase.FAILED)
        self._render()
        self._app.show_outcome(Screen.FAILURE)
        if not from_bind:
            self._app.account_model.purchase_finished()
            self.finished.emit(PurchasePhase.FAILED)

    def show_bind_failure(self, state: str, code: str | None) -> None:
        """A bind session ended declined or failed: explain on the Failure screen."""
        self._fail(bind_failure(state, code), from_bind=True)

    @Slot()
    def tick(self) -> None:
        """Move from "paying" to "checking with your wallet" when it takes a while."""
        waited = self._app.services.clock.monotonic() - self._started_at
        if self._view["phase"] == PurchasePhase.PAYING and waited >= CHECKING_AFTER_SECONDS:
            self._show(phase=PurchasePhase.CHECKING)
            self._render()

    # ------------------------------------------------------------------ leaving
    @Slot()
    def done(self) -> None:
        """Receipt → the store."""
        self._show(phase=PurchasePhase.IDLE)
        self._app.navigator.reset(Screen.HOME)

    @Slot()
    def failureAction(self) -> None:
        """The Failure screen's main button."""
        failure = self._failure or purchase_failure(None)
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
        if self._failure_from_bind:
            self._app.navigator.pop()
        else:
            self._app.retry_product()

    # ------------------------------------------------------------------ texts
    def _render(self) -> None:
        app, tr = self._app, self._app.tr
        latest = self._latest
        amount = latest.amount if latest else self._amount
        wallet = latest.wallet if latest else (app.binding.wallet if app.binding else None)
        wallet_name = WALLET_RULES[wallet].display_name if wallet else tr("wallet_generic")
        item = latest.item if latest else (
            self._product.title(app.lang.value) if self._product else ""
        )
        amount_text = format_amount(amount, app.lang) if amount else ""
        phase = self._view["phase"]
        view: dict[str, object] = {}
        if phase == PurchasePhase.CHECKING:
            view.update(
                title=tr("paying_title"),
                statusText=tr("checking_status", wallet=wallet_name),
                detailText=tr("checking_detail", amount=amount_text, item=item),
            )
        elif phase == PurchasePhase.PAYING:
            view.update(
                title=tr("paying_title"),
                statusText=tr("paying_status", amount=amount_text, wallet=wallet_name),
                detailText=tr("paying_detail", item=item),
            )
        elif phase == PurchasePhase.SUCCEEDED and latest is not None:
            when = latest.paid_at or latest.created_at
            account = f" · {latest.account}" if latest.account else ""
            view.update(
                title=tr("receipt_title"),
                receiptRows=[
                    {"key": "item", "label": tr("receipt_item"), "value": latest.item},
                    {"key": "amount", "label": tr("receipt_amount"), "value": amount_text},
                    {"key": "wallet", "label": tr("receipt_wallet"),
                     "value": wallet_name + account},
                    {"key": "order", "label": tr("receipt_order"), "value": latest.order_ref},
                    {"key": "time", "label": tr("receipt_time"),
                     "value": format_time(when, app.lang, app.timezone)},
                ],
            )
        if self._failure is not None:
            failure = self._failure
            labels = {
                FailureAction.BIND: tr("fail_action_bind"),
                FailureAction.RETRY: tr("fail_action_retry"),
                FailureAction.STORE: tr("back_to_store"),
            }
            params = {"wallet": wallet_name, "item": item}
            view.update(
                failureTitle=tr(failure.title, **params),
                failureReason=tr(failure.reason, **params),
                failureNextStep=tr(failure.next_step, **params),
                failureActionLabel=labels[failure.action],
                failureShowsStore=failure.action is not FailureAction.STORE,
            )
        if view:
            self._show(**view)
