"""The Choose-wallet screen: AlipayHK or DANA, with their currencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.i18n import format_amount
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.rows import RowsModel
from tvclient.device.models import Product
from tvclient.money import WALLET_RULES, Wallet

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["WalletsModel"]


@QmlElement
@uncreatable("Created by the app model.")
class WalletsModel(ViewModel):
    """The wallets a buyer can link, each with its currency (and the wanted item's price)."""

    viewChanged = Signal()

    prompt = shown(str, "prompt", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__({"prompt": ""}, app)
        self._app = app
        self._intent: Product | None = None
        self._wallets = list(Wallet)
        self._rows = RowsModel(["wallet", "name", "detail", "price"], key="wallet", parent=self)
        app.languageChanged.connect(self.refresh)

    def _get_options(self) -> RowsModel:
        return self._rows

    options = Property(QObject, _get_options, constant=True)

    def show(self, intent: Product | None) -> None:
        """Prepare the choice; `intent` is the product the buyer wants to buy afterwards."""
        self._intent = intent
        self.refresh()

    def refresh(self) -> None:
        """Re-render (language changed)."""
        app, tr = self._app, self._app.t
        rows = []
        for wallet in self._wallets:
            rules = WALLET_RULES[wallet]
            price = self._intent.price_in(rules.currency) if self._intent else None
            rows.append(
                {
                    "wallet": wallet.value,
                    "name": rules.display_name,
                    "detail": tr(f"wallet_detail_{wallet.value}", currency=rules.currency),
                    "price": format_amount(price, app.lang) if price else "",
                }
            )
        self._rows.update(rows)
        if self._intent is not None:
            prompt = tr("wallets_prompt_item", item=self._intent.title(app.lang.value))
        else:
            prompt = tr("wallets_prompt")
        self._show(prompt=prompt)

    @Slot(int)
    def choose(self, index: int) -> None:
        """OK on a wallet."""
        if 0 <= index < len(self._wallets):
            self._app.start_bind(self._wallets[index])
