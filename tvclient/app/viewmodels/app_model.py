"""The root view-model: language, badges, the screen stack, Back, and the flows across screens.

Screens talk to their own view-models; whatever crosses screens (first purchase: product → not
linked → wallet → scan → linked → back to that product) is decided here, in one place.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.fonts import font_family
from tvclient.app.i18n import Language, Translator, language_for_locale
from tvclient.app.qtcompat import emit
from tvclient.app.services import AppServices
from tvclient.app.viewmodels.account import AccountModel
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.bind import BindModel
from tvclient.app.viewmodels.connection import ConnectionModel
from tvclient.app.viewmodels.dialogs import DialogModel, PinModel
from tvclient.app.viewmodels.navigation import Navigator, Screen
from tvclient.app.viewmodels.product import ProductModel
from tvclient.app.viewmodels.purchase import PurchaseModel
from tvclient.app.viewmodels.store import StoreModel
from tvclient.app.viewmodels.wallets import WalletsModel
from tvclient.app.worker import AsyncWorker
from tvclient.device.account import AccountEvent, AccountService, BindingChange, BindingStatus
from tvclient.device.errors import AuthError, DeviceError, KeyringUnavailableError
from tvclient.device.models import Binding, Product
from tvclient.money import Money, Wallet

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["AppModel"]

_log = logging.getLogger(__name__)


@QmlElement
@uncreatable("The app model is created by tvclient.app.main.")
class AppModel(ViewModel):
    """The whole app as QML sees it; sub-models hang off it as constant properties."""

    viewChanged = Signal()
    languageChanged = Signal(str)
    bindingChanged = Signal()
    quitRequested = Signal()

    windowTitle = shown(str, "windowTitle", viewChanged)
    texts = shown(dict, "texts", viewChanged)
    language = shown(str, "language", viewChanged)
    fontFamily = shown(str, "fontFamily", viewChanged)
    demo = shown(bool, "demo", viewChanged)
    badgeVisible = shown(bool, "badgeVisible", viewChanged)
    badgeText = shown(str, "badgeText", viewChanged)
    languages = shown(list, "languages", viewChanged)
    languageIndex = shown(int, "languageIndex", viewChanged)

    def __init__(
        self,
        services: AppServices,
        worker: AsyncWorker,
        *,
        language: str | None = None,
        system_locale: str | None = None,
        timezone: dt.tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(
            {
                "windowTitle": "tvclient", "texts": {}, "language": "en", "fontFamily": "",
                "demo": services.demo, "badgeVisible": False, "badgeText": "",
                "languages": [], "languageIndex": 0,
            },
            parent,
        )
        self.services = services
        self.worker = worker
        self.timezone = timezone
        saved = services.languages.load()
        forced = _parse_language(language)
        chosen = forced or _parse_language(saved)
        first_run = chosen is None
        initial_language = chosen or language_for_locale(system_locale)
        self.translator = Translator(initial_language)
        self.binding: Binding | None = None
        # Why the buyer has to link again (their wallet unlinked us); shown until they do.
        self.binding_notice = ""
        self.products: list[Product] = []
        self.selected: Product | None = None
        self._intent: Product | None = None
        self._started = False
        self._unsubscribe: Callable[[], None] | None = None

        self._nav = Navigator(Screen.LANGUAGE if first_run else Screen.HOME, self)
        self._dialog = DialogModel(self)
        self._connection = ConnectionModel(self)
        self._pin = PinModel(self)
        self._store = StoreModel(self)
        self._product = ProductModel(self)
        self._wallets = WalletsModel(self)
        self._bind = BindModel(self)
        self._purchase = PurchaseModel(self)
        self._account = AccountModel(self)
        self._nav.currentChanged.connect(self._on_screen_changed)
        self._apply_language(initial_language)
        if not first_run:
            self._store.show_snapshot()

    # ------------------------------------------------------------------ sub-models for QML
    def _get_nav(self) -> Navigator:
        return self._nav

    def _get_store(self) -> StoreModel:
        return self._store

    def _get_product(self) -> ProductModel:
        return self._product

    def _get_wallets(self) -> WalletsModel:
        return self._wallets

    def _get_bind(self) -> BindModel:
        return self._bind

    def _get_purchase(self) -> PurchaseModel:
        return self._purchase

    def _get_account(self) -> AccountModel:
        return self._account

    def _get_connection(self) -> ConnectionModel:
        return self._connection

    def _get_dialog(self) -> DialogModel:
        return self._dialog

    def _get_pin(self) -> PinModel:
        return self._pin

    nav = Property(Navigator, _get_nav, constant=True)
    store = Property(StoreModel, _get_store, constant=True)
    product = Property(ProductModel, _get_product, constant=True)
    wallets = Property(WalletsModel, _get_wallets, constant=True)
    bind = Property(BindModel, _get_bind, constant=True)
    purchase = Property(PurchaseModel, _get_purchase, constant=True)
    account = Property(AccountModel, _get_account, constant=True)
    connection = Property(ConnectionModel, _get_connection, constant=True)
    dialog = Property(DialogModel, _get_dialog, constant=True)
    pin = Property(PinModel, _get_pin, constant=True)

    # Python-side access with static types (Qt properties are opaque to mypy).
    @property
    def navigator(self) -> Navigator:
        """The screen stack."""
        return self._nav

    @property
    def store_model(self) -> StoreModel:
        """The Home screen's model."""
        return self._store

    @property
    def product_model(self) -> ProductModel:
        """The Product screen's model."""
        return self._product

    @property
    def wallets_model(self) -> WalletsModel:
        """The Choose-wallet screen's model."""
        return self._wallets

    @property
    def bind_model(self) -> BindModel:
        """The Scan and Bound screens' model."""
        return self._bind

    @property
    def purchase_model(self) -> PurchaseModel:
        """The Paying, Receipt and Failure screens' model."""
        return self._purchase

    @property
    def account_model(self) -> AccountModel:
        """The Account screen's model."""
        return self._account

    @property
    def connection_model(self) -> ConnectionModel:
        """The offline notice's model."""
        return self._connection

    @property
    def dialog_model(self) -> DialogModel:
        """The question dialog's model."""
        return self._dialog

    @property
    def pin_model(self) -> PinModel:
        """The PIN dialog's model."""
        return self._pin

    @property
    def core(self) -> AccountService:
        """The device core's account service (call it on the worker loop only)."""
        return self.services.account

    def t(self, key: str, **params: object) -> str:
        """The text of `key` in the buyer's language, with `{name}` parameters filled in."""
        return self.translator(key, **params)

    @property
    def lang(self) -> Language:
        """The current language."""
        return self.translator.language

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        """Begin talking to the backend (after the window is up): enrol, binding, catalog."""
        if self._started:
            return
        self._started = True
        worker = self.worker
        core = self.core

        def on_event(event: AccountEvent) -> None:  # runs on the worker loop
            worker.to_gui(lambda: self._on_event(event))

        self._unsubscribe = worker.call_sync(lambda: core.subscribe(on_event))
        if self._nav.top is not Screen.LANGUAGE:
            self._connect()

    def _connect(self) -> None:
        """Enrol (first run), then ask for the catalog, the binding and unfinished purchases.

        The three go out together: the store is usable one round trip after enrolment, and the
        tiles switch to the wallet's currency when the binding's answer comes.
        """
        self.worker.submit(self.core.ensure_enrolled, self._connected, self._connect_failed)

    def _connected(self, _: None) -> None:
        self._connection.ok()
        self._store.load()
        self.refresh_binding()
        self._purchase.resume()

    def _connect_failed(self, exc: BaseException) -> None:
        tr = self.t
        if isinstance(exc, KeyringUnavailableError):
            self._connection.report_problem(
                tr("problem_keyring_title"), str(exc), self._connect
            )
        elif isinstance(exc, AuthError) and exc.code == "ENROLMENT_REFUSED":
            self._connection.report_problem(
                tr("problem_enrolment_title"), tr("problem_enrolment_message"), self._connect
            )
        else:
            if not isinstance(exc, DeviceError):
                _log.error("could not start talking to the backend", exc_info=exc)
            self._connection.report(self._connect)

    # ------------------------------------------------------------------ language
    def _apply_language(self, language: Language) -> None:
        self.translator.set_language(language)
        account = self.core
        self.worker.call_soon(lambda: account.set_language(language.value))
        choices = list(Language)
        self._show(
            language=language.value,
            texts=self.translator.texts(),
            windowTitle=self.t("window_title"),
            fontFamily=font_family(language),
            languages=[{"code": lang.value, "name": lang.autonym} for lang in choices],
            languageIndex=choices.index(language),
        )
        self._refresh_badge()
        emit(self.languageChanged, language.value)

    @Slot(str)
    def chooseLanguage(self, code: str) -> None:
        """The buyer picked a language (first run or Account)."""
        language = _parse_language(code)
        if language is None:
            _log.error("unknown language %r chosen", code)
            return
        self.services.languages.save(language.value)
        self._apply_language(language)
        if self._nav.top is Screen.LANGUAGE:
            self._nav.reset(Screen.HOME)
            if self._started:
                self._connect()

    # ------------------------------------------------------------------ binding
    def refresh_binding(self) -> None:
        """Ask the backend whether the binding still works (a lost one comes as an event)."""
        account = self.core
        self.worker.submit(
            lambda: account.binding(refresh=True), self._binding_status, self._binding_unknown
        )

    def _binding_unknown(self, exc: BaseException) -> None:
        # Not knowing (offline) changes nothing: the badge keeps what we knew last.
        _log.info("binding status unavailable: %s", exc)

    def _binding_status(self, status: BindingStatus) -> None:
        if status.bound:
            if status.binding is not None:
                self.set_binding(status.binding)
        else:
            self.set_binding(None)

    def _on_event(self, event: AccountEvent) -> None:
        """The account says the binding changed (bound, unlinked here or in the wallet...)."""
        binding = event.binding
        name = binding.wallet_name if binding is not None else self.t("wallet_generic")
        notices = {
            BindingChange.REVOKED_BY_WALLET: "notice_revoked",
            BindingChange.EXPIRED: "notice_expired",
            BindingChange.FORGOTTEN: "notice_forgotten",
        }
        if event.change is BindingChange.BOUND:
            self.binding_notice = ""
            self.set_binding(binding)
            return
        key = notices.get(event.change)
        self.binding_notice = self.t(key, wallet=name) if key else ""
        self.set_binding(None)

    def set_binding(self, binding: Binding | None) -> None:
        """Show what the device is linked to now (None: nothing)."""
        if binding is not None and not binding.active:
            binding = None
        if binding is not None:
            self.binding_notice = ""
        self.binding = binding
        self._refresh_badge()
        emit(self.bindingChanged)

    def _refresh_badge(self) -> None:
        if self.binding is None:
            self._show(badgeVisible=False, badgeText="")
            return
        self._show(
            badgeVisible=True,
            badgeText=self.t(
                "badge", wallet=self.binding.wallet_name, account=self.binding.account
            ),
        )

    # ------------------------------------------------------------------ flows
    def open_product(self, product: Product) -> None:
        """Home → Product."""
        self.selected = product
        self._product.show(product)
        self._nav.push(Screen.PRODUCT)
        self.refresh_binding()

    def start_link(self, intent: Product | None) -> None:
        """→ Choose wallet; after linking the buyer comes back to `intent` (if any)."""
        self._intent = intent
        self._wallets.show(intent)
        self._nav.push(Screen.WALLETS)

    def start_bind(self, wallet: Wallet) -> None:
        """Choose wallet → Scan."""
        self._bind.start(wallet, self._intent)
        self._nav.push(Screen.SCAN)

    def on_bound(self, binding: Binding) -> None:
        """The wallet is linked: badge on, Bound screen."""
        self.set_binding(binding)
        self._nav.replace(Screen.BOUND)

    def after_bound(self) -> None:
        """Bound → what the buyer wanted: their product with Pay, or where they started."""
        intent, self._intent = self._intent, None
        if intent is not None:
            self.selected = intent
            self._product.show(intent)
            self._nav.reset(Screen.HOME, Screen.PRODUCT)
        elif self._nav.contains(Screen.ACCOUNT):
            self._nav.reset(Screen.HOME, Screen.ACCOUNT)
        else:
            self._nav.reset(Screen.HOME)

    def pay(self, product: Product, amount: Money) -> None:
        """The Pay press was accepted (and the PIN, if any): buy."""
        self._purchase.start(product, amount)
        self._nav.push(Screen.PAYING)

    def show_outcome(self, screen: Screen) -> None:
        """Paying (or Scan) → Receipt or Failure; Back from those never returns to them."""
        if self._nav.top in (Screen.PAYING, Screen.SCAN):
            self._nav.replace(screen)
        else:
            self._nav.push(screen)

    def retry_product(self) -> None:
        """Failure → the product again."""
        if self.selected is None:
            self._nav.reset(Screen.HOME)
            return
        self._product.show(self.selected)
        self._nav.reset(Screen.HOME, Screen.PRODUCT)

    @Slot()
    def openAccount(self) -> None:
        """Home → Account."""
        if self._nav.top is Screen.ACCOUNT:
            return
        self._account.show()
        self._nav.push(Screen.ACCOUNT)

    @Slot()
    def goHome(self) -> None:
        """Straight to the store from anywhere it is safe to leave."""
        top = self._nav.top
        if top in (Screen.PAYING, Screen.LANGUAGE):
            return
        if top is Screen.SCAN:
            self._bind.cancel()
        self._nav.reset(Screen.HOME)

    @Slot()
    def menu(self) -> None:
        """The Menu key: the Account screen, from screens a buyer can leave."""
        if self._nav.top in (Screen.HOME, Screen.PRODUCT, Screen.RECEIPT, Screen.FAILURE):
            self.openAccount()

    @Slot()
    def back(self) -> None:
        """The one Back handler: close, cancel, go back, or ask before leaving the app."""
        if self._pin.open_:
            self._pin.cancel()
            return
        if self._dialog.open_:
            self._dialog.cancel()
            return
        if self._connection.offline_:
            self.ask_quit()
            return
        top = self._nav.top
        if top in (Screen.HOME, Screen.LANGUAGE):
            self.ask_quit()
        elif top is Screen.SCAN:
            self._bind.cancel()
            self._nav.pop()
        elif top is Screen.BOUND:
            self.after_bound()
        elif top is Screen.PAYING:
            self._dialog.ask(
                self.t("paying_back_title"), self.t("paying_back_message"),
                [self.t("ok_button")], lambda _: None,
            )
        elif top is Screen.RECEIPT:
            self._purchase.done()
        elif top is Screen.FAILURE:
            self._purchase.leave_failure()
        else:
            self._nav.pop()

    def ask_quit(self) -> None:
        """Ask before leaving the app (Back at the root)."""
        self._dialog.ask(
            self.t("quit_title"), self.t("quit_message"),
            [self.t("quit_stay"), self.t("quit_leave")],
            self._on_quit_choice,
        )

    def _on_quit_choice(self, index: int) -> None:
        if index == 1:
            emit(self.quitRequested)

    def _on_screen_changed(self) -> None:
        top = self._nav.top
        if top is Screen.PRODUCT:
            self._product.arm()
        else:
            self._product.disarm()
        if top is Screen.HOME and self._started:
            self._store.refresh_prices()

    # ------------------------------------------------------------------ shutdown
    def shutdown(self) -> None:
        """Stop timers and background work (the worker itself is stopped by the caller)."""
        self._bind.cancel()
        self._purchase.stop()
        self._connection.stop()
        self._product.disarm()
        if self._unsubscribe is not None:
            unsubscribe, self._unsubscribe = self._unsubscribe, None
            self.worker.call_soon(unsubscribe)


def _parse_language(code: Any) -> Language | None:
    if not isinstance(code, str):
        return None
    try:
        return Language(code)
    except ValueError:
        return None
