"""Catalog pictures for QML: `image://catalog/<base64url of the image URL>`, fetched via the core.

QML's `Image { asynchronous: true }` calls the provider on Qt's image-loader thread, so the
provider may wait for the device core there without touching the GUI thread. A picture that
cannot be fetched comes back transparent: the tile's placeholder underneath stays visible.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

__all__ = ["CatalogImageProvider", "catalog_image_source"]

_log = logging.getLogger(__name__)
_CACHE_SIZE = 64


def catalog_image_source(url: str) -> str:
    """The QML image URL of a catalog picture ("" when the product has none)."""
    if not url:
        return ""
    token = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    return f"image://catalog/{token}"


def _decode(token: str) -> str | None:
    try:
        return base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _blank() -> QImage:
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    return image


class CatalogImageProvider(QQuickImageProvider):
    """Serves catalog pictures; `fetch(url)` blocks the loader thread until the bytes arrive."""

    def __init__(self, fetch: Callable[[str], bytes]) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._fetch = fetch
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, QImage] = OrderedDict()

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        """The picture for `image_id`, scaled to cover `requested_size` when one is given."""
        url = _decode(image_id)
        image = self._load(url) if url else _blank()
        if requested_size.isValid() and requested_size.width() > 0 and requested_size.height() > 0:
            image = image.scaled(
                requested_size,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image

    def _load(self, url: str) -> QImage:
        with self._lock:
            hit = self._cache.get(url)
            if hit is not None:
                self._cache.move_to_end(url)
                return hit
        try:
            data = self._fetch(url)
        except Exception as exc:  # noqa: BLE001 - any failure leaves the placeholder showing
            _log.info("catalog image %s unavailable: %s", url, exc)
            return _blank()
        image = QImage.fromData(data)
        if image.isNull():
            _log.info("catalog image %s is not a picture", url)
            return _blank()
        with self._lock:
            self._cache[url] = image
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return image
