"""The Product screen: the item, its price, the wallet, the safety state and the one Pay control.

The Pay control's presses go to the input layer's pay guard, which decides whether a press was
deliberate (fresh, not repeated, not carried over, not held); only its `confirmed` signal pays.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.catalog_images import catalog_image_source
from tvclient.app.i18n import format_amount, format_time
from tvclient.app.input.payguard import PayGuard
from tvclient.app.qtcompat import emit
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.pinpad import PinPurpose
from tvclient.app.viewmodels.store import price_text
from tvclient.device.models import Product
from tvclient.device.safety.errors import SafetyError
from tvclient.money import WALLET_RULES, InvalidAmountError, Money

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["ProductModel"]

_log = logging.getLogger(__name__)


@QmlElement
@uncreatable("Created by the app model.")
class ProductModel(ViewModel):
    """One product, ready to buy (or to link a wallet for)."""

    viewChanged = Signal()
    payGuardChanged = Signal()

    title = shown(str, "title", viewChanged)
    description = shown(str, "description", viewChanged)
    imageSource = shown(str, "imageSource", viewChanged)
    priceText = shown(str, "priceText", viewChanged)
    bound = shown(bool, "bound", viewChanged)
    payLabel = shown(str, "payLabel", viewChanged)
    walletLine = shown(str, "walletLine", viewChanged)
    capLine = shown(str, "capLine", viewChanged)
    pinLine = shown(str, "pinLine", viewChanged)
    blockedReason = shown(str, "blockedReason", viewChanged)
    canPay = shown(bool, "canPay", viewChanged)
    payHint = shown(str, "payHint", viewChanged)
    linkLabel = shown(str, "linkLabel", viewChanged)
    notice = shown(str, "notice", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__(
            {
                "title": "", "description": "", "imageSource": "", "priceText": "",
                "bound": False, "payLabel": "", "walletLine": "", "capLine": "", "pinLine": "",
                "blockedReason": "", "canPay": False, "payHint": "", "linkLabel": "",
                "notice": "",
            },
            app,
        )
        self._app = app
        self._product: Product | None = None
        self._price: Money | None = None
        self._guard: PayGuard | None = None
        self._armed = False
        app.languageChanged.connect(self.refresh)
        app.bindingChanged.connect(self.refresh)

    # ------------------------------------------------------------------ the pay guard
    def attach_guard(self, guard: PayGuard) -> None:
        """Use the input layer's guard for the Pay control (done once the window exists)."""
        self._guard = guard
        guard.confirmed.connect(self._confirmed)
        guard.hintChanged.connect(self.refresh)
        emit(self.payGuardChanged)
        if self._armed:
            guard.arm()

    def _get_guard(self) -> QObject | None:
        return self._guard

    payGuard = Property(QObject, _get_guard, notify=payGuardChanged)

    def arm(self) -> None:
        """The Product screen became the current screen."""
        self._armed = True
        self.refresh()
        if self._guard is not None:
            self._guard.arm()

    def disarm(self) -> None:
        """The Product screen is no longer current."""
        if not self._armed:
            return
        self._armed = False
        if self._guard is not None:
            self._guard.disarm()

    @Slot(bool)
    def payPressed(self, pointer: bool) -> None:
        """OK (or a pointer) went down on Pay."""
        if self._guard is None:
            return
        if pointer:
            self._guard.pointerPress()
        else:
            self._guard.press()

    @Slot(bool)
    def payReleased(self, pointer: bool) -> None:
        """OK (or the pointer) came up on Pay."""
        if self._guard is None:
            return
        if pointer:
            self._guard.pointerRelease()
        else:
            self._guard.release()

    @Slot()
    def payAbandoned(self) -> None:
        """Focus left Pay (or the pointer slid off) before the press ended."""
        if self._guard is not None:
            self._guard.cancel()

    # ------------------------------------------------------------------ state
    @property
    def product(self) -> Product | None:
        """The product on show."""
        return self._product

    @property
    def price(self) -> Money | None:
        """What Pay would charge (None when not linked or not sold in the wallet's currency)."""
        return self._price

    def show(self, product: Product) -> None:
        """Show `product`."""
        self._product = product
        self.refresh()

    def refresh(self) -> None:
        """Recompute everything shown (language, binding, safety state may have changed)."""
        product = self._product
        if product is None:
            return
        app, tr = self._app, self._app.t
        binding = app.binding
        view: dict[str, object] = {
            "title": product.title(app.lang.value),
            "description": product.description(app.lang.value),
            "imageSource": catalog_image_source(product.image_url),
            "priceText": price_text(app, product),
            "bound": binding is not None,
            "linkLabel": tr("product_link"),
            "notice": app.binding_notice,
            "walletLine": "", "capLine": "", "pinLine": "", "blockedReason": "",
            "payLabel": "", "canPay": False, "payHint": "",
        }
        self._price = None
        if binding is None:
            view["walletLine"] = app.binding_notice or tr("product_not_linked")
            self._show(**view)
            return
        wallet = WALLET_RULES[binding.wallet]
        view["walletLine"] = tr(
            "product_wallet", wallet=wallet.display_name, account=binding.account
        )
        price = product.price_in(wallet.currency)
        if price is None:
            view["blockedReason"] = tr("blocked_currency", wallet=wallet.display_name)
            view["payLabel"] = tr("pay_unavailable")
            self._show(**view)
            return
        amount = format_amount(price, app.lang)
        view["payLabel"] = tr("pay_label", amount=amount, wallet=wallet.display_name)
        view["payHint"] = self._hint()
        blocked = self._safety(price, view)
        try:
            wallet.check_amount(price)
        except InvalidAmountError:
            blocked = blocked or tr("blocked_wallet_limit", wallet=wallet.display_name)
        view["blockedReason"] = blocked
        view["canPay"] = not blocked
        self._price = None if blocked else price
        self._show(**view)

    def _hint(self) -> str:
        """The tip under Pay: how to pay, or why the last press did not."""
        tr = self._app.t
        tips = {
            "hold-longer": "pay_tip_hold_longer",
            "released-late": "pay_tip_released_late",
            "too-soon": "pay_tip_too_soon",
        }
        code = self._guard.hint if self._guard is not None else ""
        if code in tips:
            return tr(tips[code])
        hold = self._app.services.safety_settings.hold_to_confirm
        return tr("pay_hint_hold" if hold else "pay_hint_click")

    def _safety(self, price: Money, view: dict[str, object]) -> str:
        """Fill the cap and PIN lines; the reason Pay cannot be used now, or ""."""
        app, tr = self._app, self._app.t
        services = app.services
        try:
            limit = services.cap.limit(price.currency)
            remaining = services.cap.remaining(price.currency)
            has_pin = services.pins.has_pin()
            locked = services.pins.locked_until()
        except SafetyError as exc:
            _log.error("purchase safety state unreadable: %s", exc)
            return tr("blocked_safety_unreadable")
        if has_pin:
            view["pinLine"] = tr("pin_line")
        if locked is not None:
            return tr("blocked_locked", time=format_time(locked, app.lang, app.timezone))
        if limit is not None and remaining is not None:
            view["capLine"] = tr(
                "cap_line",
                limit=format_amount(limit, app.lang),
                remaining=format_amount(remaining, app.lang),
            )
            if price.minor > remaining.minor:
                return tr("blocked_cap", remaining=format_amount(remaining, app.lang))
        return ""

    # ------------------------------------------------------------------ actions
    @Slot()
    def link(self) -> None:
        """"Link a wallet to buy": off to choose a wallet, then back here."""
        self._app.start_link(self._product)

    def _confirmed(self) -> None:
        """The guard accepted a deliberate press on Pay."""
        self.refresh()
        product, price = self._product, self._price
        if not self._armed or product is None or price is None:
            return
        self.disarm()
        if self._app.services.pins.has_pin():
            app = self._app
            message = app.t(
                "pin_message_pay",
                amount=format_amount(price, app.lang),
                item=product.title(app.lang.value),
            )
            app.pin_model.ask(
                PinPurpose.VERIFY, message, lambda ok: self._after_pin(ok, product, price)
            )
            return
        self._app.pay(product, price)

    def _after_pin(self, ok: bool, product: Product, price: Money) -> None:
        if ok:
            self._app.pay(product, price)
        else:
            self.arm()  # back on the Product screen: a fresh press is needed
