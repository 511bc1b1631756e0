"""The Home screen: the catalog as tiles with prices, and why the buyer must link again."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.catalog_images import catalog_image_source
from tvclient.app.i18n import format_amount
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.rows import RowsModel
from tvclient.device.errors import DeviceError
from tvclient.device.models import Product

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["StoreModel", "price_text"]

_log = logging.getLogger(__name__)


def price_text(app: AppModel, product: Product) -> str:
    """The price a tile shows: in the linked wallet's currency, else every price (one a line)."""
    if app.binding is not None:
        price = product.price_in(app.binding.currency)
        if price is None:
            return app.t("price_unavailable", currency=app.binding.currency)
        return format_amount(price, app.lang)
    return "\n".join(format_amount(p, app.lang) for p in product.prices)


@QmlElement
@uncreatable("Created by the app model.")
class StoreModel(ViewModel):
    """The catalog grid."""

    viewChanged = Signal()

    loading = shown(bool, "loading", viewChanged)
    notice = shown(str, "notice", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__({"loading": False, "notice": ""}, app)
        self._app = app
        self._rows = RowsModel(
            ["productId", "title", "priceText", "imageSource"], key="productId", parent=self
        )
        app.languageChanged.connect(self.refresh_prices)
        app.bindingChanged.connect(self.refresh_prices)

    def _get_products(self) -> RowsModel:
        return self._rows

    products = Property(QObject, _get_products, constant=True)

    @property
    def rows(self) -> RowsModel:
        """The tiles' model."""
        return self._rows

    def load(self) -> None:
        """Fetch the catalog (again)."""
        self._show(loading=True)
        self._app.worker.submit(self._app.core.catalog, self._loaded, self._failed)

    def _loaded(self, products: list[Product]) -> None:
        self._app.connection_model.ok()
        self._app.products = products
        self._show(loading=False)
        self.refresh_prices()

    def _failed(self, exc: BaseException) -> None:
        self._show(loading=False)
        if not isinstance(exc, DeviceError):
            _log.error("catalog failed unexpectedly", exc_info=exc)
        elif not exc.retryable:
            _log.warning("catalog refused: %s", exc)
        self._app.connection_model.report(self.load)

    def refresh_prices(self) -> None:
        """Re-render titles and prices (language or binding changed)."""
        app = self._app
        self._rows.update(
            [
                {
                    "productId": p.id,
                    "title": p.title(app.lang.value),
                    "priceText": price_text(app, p),
                    "imageSource": catalog_image_source(p.image_url),
                }
                for p in app.products
            ]
        )
        self._show(notice=app.binding_notice)

    @Slot(int)
    def open(self, index: int) -> None:
        """OK on a tile."""
        if 0 <= index < len(self._app.products):
            self._app.open_product(self._app.products[index])
