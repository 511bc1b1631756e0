"""The Home screen: the catalog as tiles with prices, and why the buyer must link again.

On a start after the first, the tiles come from the home snapshot (`tvclient.device.home_snapshot`)
until the backend's catalog arrives, so the store is on screen before the device core has loaded;
OK on a tile in that time opens the product as soon as the fresh catalog has it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.catalog_images import catalog_image_source
from tvclient.app.i18n import format_amount
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.navigation import Screen
from tvclient.app.viewmodels.rows import RowsModel
from tvclient.device.errors import DeviceError
from tvclient.device.home_snapshot import HomeSnapshot
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


def _showable(row: Mapping[str, str]) -> bool:
    """A tile this app wrote: its fields, and a picture only from the core's image provider."""
    picture = row.get("imageSource", "")
    return (
        bool(row.get("productId"))
        and "title" in row
        and "priceText" in row
        and (picture == "" or picture.startswith("image://catalog/"))
    )


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
        # Tiles from the snapshot until the backend's catalog arrives (then `_fresh`).
        self._fresh = False
        self._snapshot: HomeSnapshot | None = None
        self._pending_open: str | None = None
        app.languageChanged.connect(self.refresh_prices)
        app.bindingChanged.connect(self.refresh_prices)

    def show_snapshot(self) -> None:
        """Show the last home screen kept for this backend and language, if there is one."""
        store = self._app.services.home_snapshot
        snapshot = store.load() if store is not None else None
        if snapshot is None or not snapshot.matches(self._backend_url(), self._app.lang.value):
            return
        if not all(_showable(row) for row in snapshot.rows):
            _log.info("not showing the home snapshot: a row is not one of our tiles")
            return
        self._snapshot = snapshot
        self._rows.update(snapshot.rows)

    def _backend_url(self) -> str:
        return self._app.core.client.base_url

    def _get_products(self) -> RowsModel:
        return self._rows

    products = Property(QObject, _get_products, constant=True)

    @property
    def rows(self) -> RowsModel:
        """The tiles' model."""
        return self._rows

    @property
    def fresh(self) -> bool:
        """Whether the tiles come from the backend's catalog (not the start-up snapshot)."""
        return self._fresh

    def load(self) -> None:
        """Fetch the catalog (again)."""
        self._show(loading=True)
        self._app.worker.submit(self._app.core.catalog, self._loaded, self._failed)

    def _loaded(self, products: list[Product]) -> None:
        self._app.connection_model.ok()
        self._app.products = products
        self._fresh = True
        self._show(loading=False)
        self.refresh_prices()
        pending, self._pending_open = self._pending_open, None
        app = self._app
        # Only onto the store as the buyer left it: not under a question or the PIN pad.
        undisturbed = (
            app.navigator.top is Screen.HOME
            and not app.dialog_model.view("open")
            and not app.pin_model.view("open")
        )
        if pending is not None and undisturbed:
            product = next((p for p in products if p.id == pending), None)
            if product is not None:
                self._app.open_product(product)

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
        if not self._fresh:
            # Still the snapshot: keep it while it is in the buyer's language.
            snapshot = self._snapshot
            if snapshot is not None and snapshot.language != app.lang.value:
                self._snapshot = None
                self._rows.update([])
            self._show(notice=app.binding_notice)
            return
        rows = [
            {
                "productId": p.id,
                "title": p.title(app.lang.value),
                "priceText": price_text(app, p),
                "imageSource": catalog_image_source(p.image_url),
            }
            for p in app.products
        ]
        self._rows.update(rows)
        self._show(notice=app.binding_notice)
        self._keep(rows)

    def _keep(self, rows: list[dict[str, str]]) -> None:
        """Save what is on screen now as the next start's snapshot (when it changed)."""
        store = self._app.services.home_snapshot
        if store is None or not rows:
            return
        snapshot = HomeSnapshot(self._backend_url(), self._app.lang.value, tuple(rows))
        if snapshot == self._snapshot:
            return
        self._snapshot = snapshot
        # File I/O belongs on the worker thread, never the GUI thread.
        self._app.worker.call_soon(lambda: store.save(snapshot))

    @Slot(int)
    def open(self, index: int) -> None:
        """OK on a tile (before the fresh catalog is in: once it is)."""
        if not self._fresh:
            row = self._rows.row(index)
            if row is not None:
                self._pending_open = str(row["productId"])
            return
        if 0 <= index < len(self._app.products):
            self._app.open_product(self._app.products[index])
