"""Pictures of every screen: the QR in them decodes, and every glyph has a font (no tofu)."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtGui import QFont, QFontMetrics
from pytestqt.qtbot import QtBot

from tests.app.screenshots import saver, walk
from tvclient.app.fonts import font_family
from tvclient.app.i18n import Catalog, Language

SCREENS = [
    "01-language", "02-home", "03-product-not-linked", "04-choose-wallet", "05-scan-to-bind",
    "06-bound", "07-product-pay", "08-paying-checking", "09-receipt", "10-home-linked",
    "11-account", "12-leave-dialog", "13-product-pin-and-limit", "14-pin", "15-failure",
    "16-scan-expired", "17-offline", "18-home-zh-HK", "19-product-zh-HK", "20-product-id",
]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The screenshot walk at 1280x720, once for the module."""
    paths: list[Path] = []
    walk(saver(tmp_path_factory.mktemp("screens"), paths))
    return {path.stem: path for path in paths}


def qr_texts(path: Path) -> list[str]:
    """The QR codes zxing-cpp reads in a picture."""
    with Image.open(path) as image:
        found = zxingcpp.read_barcodes(image.convert("L"))
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_every_screen_is_pictured_at_720p(qtbot: QtBot, shots: dict[str, Path]) -> None:
    """The walk reaches every screen, and each picture is 1280x720."""
    assert sorted(shots) == SCREENS
    for path in shots.values():
        with Image.open(path) as image:
            assert image.size == (1280, 720)


def test_the_scan_picture_decodes_to_the_bind_url(qtbot: QtBot, shots: dict[str, Path]) -> None:
    """zxing-cpp reads the authorization URL from the Scan screen; no other screen has a QR."""
    assert [t.split("?")[0] for t in qr_texts(shots["05-scan-to-bind"])] == [
        "https://wallet.sandbox.example/authorize"
    ]
    assert qr_texts(shots["16-scan-expired"]) == []
    assert qr_texts(shots["09-receipt"]) == []


@pytest.mark.parametrize("language", list(Language))
def test_every_character_has_a_glyph(qtbot: QtBot, language: Language) -> None:
    """Each character of each catalog is in the font the app draws that language with."""
    family = font_family(language)
    assert family, "no usable font family installed"
    metrics = QFontMetrics(QFont(family))
    texts = "".join(Catalog.load(language).texts().values())
    missing = sorted({ch for ch in texts if ch.strip() and not metrics.inFontUcs4(ord(ch))})
    assert missing == [], f"{family} lacks {missing}"
    if language is Language.ZH_HK:
        assert "CJK" in family
