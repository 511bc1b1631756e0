"""QR codes for QML: `image://qr/<base64url of the text>`, drawn with qrcode + Pillow.

The code is drawn with whole-pixel modules (no smoothing) and a four-module quiet zone, as the
QR standard asks, so a phone camera across the room and zxing-cpp on a screenshot both read it.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

__all__ = ["QUIET_ZONE", "QrImageProvider", "qr_image", "qr_source"]

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)
_DEFAULT_SIZE = 480
_CACHE_SIZE = 8


def qr_source(text: str) -> str:
    """The QML image URL showing `text` as a QR code ("" for no text)."""
    if not text:
        return ""
    token = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    return f"image://qr/{token}"


def _decode(token: str) -> str | None:
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def qr_image(text: str, size: int) -> QImage:
    """The QR code of `text` as black-on-white modules, as large as fits in `size` pixels.

    The result is a square of whole-pixel modules (so possibly a little under `size`).
    """
    # Imported here: the store's first frame does not need them, the Scan screen does.
    import qrcode
    import qrcode.constants
    from PIL import Image

    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=QUIET_ZONE
    )
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    box = max(1, size // modules)
    small = Image.new("L", (modules, modules), 255)
    small.putdata([0 if cell else 255 for row in matrix for cell in row])
    big = small.resize((modules * box, modules * box), Image.Resampling.NEAREST)
    data = big.tobytes()
    image = QImage(data, big.width, big.height, big.width, QImage.Format.Format_Grayscale8)
    return image.copy()  # detach from `data`, which Python frees


class QrImageProvider(QQuickImageProvider):
    """Serves `image://qr/...` for QML `Image` items; safe to call from Qt's loader threads."""

    def __init__(self) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int], QImage] = OrderedDict()

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        """Draw (or reuse) the code for the encoded text in `image_id`."""
        text = _decode(image_id)
        target = min(requested_size.width(), requested_size.height())
        if target <= 0:
            target = _DEFAULT_SIZE
        if text is None:
            image = QImage(1, 1, QImage.Format.Format_Grayscale8)
            image.fill(255)
        else:
            image = self._cached(text, target)
        size.setWidth(image.width())
        size.setHeight(image.height())
        return image

    def _cached(self, text: str, target: int) -> QImage:
        key = (text, target)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        image = qr_image(text, target)
        with self._lock:
            self._cache[key] = image
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return image
