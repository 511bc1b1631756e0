"""Pictures of the booth's screens (docs/screens/booth-*.png): what they must and must not show."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pytestqt.qtbot import QtBot

from tests.booth.screenshots import SHOTS, walk


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The screenshot walk at 1280x720, once for the module."""
    return {path.stem: path for path in walk(tmp_path_factory.mktemp("booth-screens"))}


def _codes(path: Path) -> list[str]:
    with Image.open(path) as image:
        return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def test_every_booth_screen_is_pictured(qtbot: QtBot, shots: dict[str, Path]) -> None:
    """Attract (two languages), countdown, staff PIN pad and staff menu, each at 720p."""
    assert sorted(shots) == sorted(SHOTS)
    for path in shots.values():
        with Image.open(path) as image:
            assert image.size == (1280, 720)


def test_the_attract_loops_drawing_of_a_code_cannot_be_scanned(
    qtbot: QtBot, shots: dict[str, Path]
) -> None:
    """A phone pointed at the attract loop finds nothing: only the app's QR is a real code."""
    assert _codes(shots["booth-attract"]) == []
    assert _codes(shots["booth-attract-zh-HK"]) == []


def test_the_countdown_keeps_the_visitors_screen_visible(
    qtbot: QtBot, shots: dict[str, Path]
) -> None:
    """Behind the countdown the store still shows (dimmed), not a blank screen."""
    with Image.open(shots["booth-countdown"]) as image:
        corner = image.convert("L").crop((60, 40, 400, 110))
        assert max(corner.tobytes()) > 60  # the "Store" title shows through the scrim
