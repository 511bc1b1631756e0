"""The Account screen: linked wallet (link, unlink), language, purchase PIN, daily cap, history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.i18n import Language, format_amount, format_time
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.pinpad import PinPurpose
from tvclient.app.viewmodels.rows import RowsModel
from tvclient.device.errors import DeviceError
from tvclient.device.models import Purchase, PurchasePage, PurchaseState
from tvclient.device.safety.errors import SafetyError
from tvclient.money import WALLET_RULES, Money

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["CAP_STEPS", "AccountModel"]

_log = logging.getLogger(__name__)

# Daily cap choices per currency, in minor units, cycled by OK on the cap setting (then "off").
CAP_STEPS: dict[str, tuple[int, ...]] = {
    "HKD": (10_000, 20_000, 50_000, 100_000),
    "IDR": (10_000_000, 20_000_000, 50_000_000, 100_000_000),
}
_HISTORY_LIMIT = 20


@QmlElement
@uncreatable("Created by the app model.")
class AccountModel(ViewModel):
    """The buyer's settings and purchases."""

    viewChanged = Signal()

    bound = shown(bool, "bound", viewChanged)
    walletText = shown(str, "walletText", viewChanged)
    walletNote = shown(str, "walletNote", viewChanged)
    languageText = shown(str, "languageText", viewChanged)
    pinText = shown(str, "pinText", viewChanged)
    capText = shown(str, "capText", viewChanged)
    capAvailable = shown(bool, "capAvailable", viewChanged)
    historyNote = shown(str, "historyNote", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__(
            {
                "bound": False, "walletText": "", "walletNote": "", "languageText": "",
                "pinText": "", "capText": "", "capAvailable": False, "historyNote": "",
            },
            app,
        )
        self._app = app
        self._purchases: list[Purchase] = []
        self._history_state = "idle"  # idle | loading | loaded | unavailable
        self._rows = RowsModel(["id", "item", "amount", "time", "status"], key="id", parent=self)
        app.languageChanged.connect(self.refresh)
        app.bindingChanged.connect(self.refresh)

    def _get_history(self) -> RowsModel:
        return self._rows

    history = Property(QObject, _get_history, constant=True)

    @property
    def history_rows(self) -> RowsModel:
        """The history list's model."""
        return self._rows

    def show(self) -> None:
        """The Account screen is opening: fresh history."""
        self.refresh()
        self.load_history()

    def purchase_finished(self) -> None:
        """A purchase ended: the history (and the cap left) changed."""
        self.load_history()

    def load_history(self) -> None:
        """Fetch this binding's purchases."""
        if self._app.binding is None:
            self._purchases = []
            self._history_state = "idle"
            self.refresh()
            return
        self._history_state = "loading"
        self.refresh()
        account = self._app.core
        self._app.worker.submit(
            lambda: account.history(limit=_HISTORY_LIMIT),
            self._history_loaded,
            self._history_failed,
        )

    def _history_loaded(self, page: PurchasePage) -> None:
        self._purchases = list(page.purchases)
        self._history_state = "loaded"
        self.refresh()

    def _history_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, DeviceError):
            _log.error("purchase history failed unexpectedly", exc_info=exc)
        else:
            _log.info("purchase history unavailable: %s", exc.code)
        self._history_state = "unavailable"
        self.refresh()

    # ------------------------------------------------------------------ actions
    @Slot()
    def link(self) -> None:
        """Link a wallet (nothing to buy afterwards: back here)."""
        self._app.start_link(None)

    @Slot()
    def unlink(self) -> None:
        """Ask, then revoke the binding at the backend."""
        binding = self._app.binding
        if binding is None:
            return
        tr = self._app.t
        name = WALLET_RULES[binding.wallet].display_name
        self._app.dialog_model.ask(
            tr("unlink_title", wallet=name),
            tr("unlink_message", wallet=name),
            [tr("unlink_keep"), tr("unlink_confirm")],
            lambda index: self._unlink() if index == 1 else None,
        )

    def _unlink(self) -> None:
        self._app.worker.submit(self._app.core.unbind, self._unlinked, self._unlink_failed)

    def _unlinked(self, _: None) -> None:
        self._app.set_binding(None)  # the account's UNBOUND event says the same, maybe later
        self._purchases = []
        self._history_state = "idle"
        self.refresh()

    def _unlink_failed(self, exc: BaseException) -> None:
        tr = self._app.t
        _log.info("unlink failed: %s", exc)
        self._app.dialog_model.ask(
            tr("unlink_failed_title"), tr("unlink_failed_message"), [tr("ok_button")],
            lambda _: None,
        )

    @Slot()
    def nextLanguage(self) -> None:
        """Cycle through the languages (English, Traditional Chinese, Indonesian)."""
        choices = list(Language)
        following = choices[(choices.index(self._app.lang) + 1) % len(choices)]
        self._app.chooseLanguage(following.value)

    @Slot()
    def changePin(self) -> None:
        """Set a PIN (none yet) or remove it (needs the current one)."""
        pins = self._app.services.pins
        tr = self._app.t
        if pins.has_pin():
            self._app.pin_model.ask(PinPurpose.CLEAR, tr("pin_message_clear"), self._pin_done)
        else:
            self._app.pin_model.ask(PinPurpose.SET, tr("pin_message_set"), self._pin_done)

    def _pin_done(self, _: bool) -> None:
        self.refresh()
        self._app.product_model.refresh()

    @Slot()
    def nextCap(self) -> None:
        """Cycle the daily cap (off → steps → off); with a PIN set, the PIN approves it."""
        binding = self._app.binding
        if binding is None:
            return
        if self._app.services.pins.has_pin():
            self._app.pin_model.ask(
                PinPurpose.VERIFY, self._app.t("pin_message_cap"),
                lambda ok: self._step_cap(binding.currency) if ok else None,
            )
            return
        self._step_cap(binding.currency)

    def _step_cap(self, currency: str) -> None:
        cap = self._app.services.cap
        steps = CAP_STEPS.get(currency, ())
        try:
            current = cap.limit(currency)
        except SafetyError:
            current = None
        following: Money | None
        if current is None:
            following = Money(steps[0], currency) if steps else None
        else:
            later = [s for s in steps if s > current.minor]
            following = Money(later[0], currency) if later else None
        try:
            cap.set_limit(currency, following)
        except SafetyError as exc:
            _log.error("could not change the spending cap: %s", exc)
        self.refresh()
        self._app.product_model.refresh()

    # ------------------------------------------------------------------ texts
    def refresh(self) -> None:
        """Re-render everything shown."""
        app, tr = self._app, self._app.t
        binding = app.binding
        services = app.services
        try:
            has_pin = services.pins.has_pin()
            cap = services.cap.limit(binding.currency) if binding else None
        except SafetyError as exc:
            _log.error("purchase safety state unreadable: %s", exc)
            has_pin, cap = True, None
        if binding is not None:
            wallet_text = tr("badge", wallet=binding.wallet_name, account=binding.account)
        else:
            wallet_text = tr("account_no_wallet")
        cap_value = format_amount(cap, app.lang) if cap else tr("setting_off")
        notes: dict[str, Callable[[], str]] = {
            "idle": lambda: tr("history_none_unlinked") if binding is None else "",
            "loading": lambda: tr("history_loading"),
            "loaded": lambda: "" if self._purchases else tr("history_empty"),
            "unavailable": lambda: tr("history_unavailable"),
        }
        self._show(
            bound=binding is not None,
            walletText=wallet_text,
            walletNote=app.binding_notice,
            languageText=tr("setting_language", value=app.lang.autonym),
            pinText=tr("setting_pin", value=tr("setting_on") if has_pin else tr("setting_off")),
            capText=tr("setting_cap", value=cap_value) if binding else tr("setting_cap_unlinked"),
            capAvailable=binding is not None,
            historyNote=notes[self._history_state](),
        )
        self._rows.update([self._row(p) for p in self._purchases])

    def _row(self, purchase: Purchase) -> dict[str, str]:
        app, tr = self._app, self._app.t
        status = {
            PurchaseState.SUCCEEDED: tr("status_paid"),
            PurchaseState.CREATED: tr("status_checking"),
            PurchaseState.PROCESSING: tr("status_checking"),
            PurchaseState.FAILED: tr("status_failed"),
            PurchaseState.CANCELLED: tr("status_cancelled"),
            PurchaseState.REFUNDED: tr("status_refunded"),
            PurchaseState.PARTIALLY_REFUNDED: tr("status_partly_refunded"),
        }[purchase.state]
        return {
            "id": purchase.id,
            "item": purchase.product.title,
            "amount": format_amount(purchase.amount, app.lang),
            "time": format_time(
                purchase.completed_at or purchase.created_at, app.lang, app.timezone
            ),
            "status": status,
        }
