"""10-foot layout rules on every screen, at 720p and 4K: overscan, text size, focus targets."""

from __future__ import annotations

from typing import cast

import shiboken6
from PySide6.QtCore import QRectF
from PySide6.QtQuick import QQuickItem
from pytestqt.qtbot import QtBot

from tests.app.screenshots import Stage, wait, walk
from tests.app.ui import walk as items_under

SAFE = 0.05  # of the width and the height, on every side
MIN_TEXT = 22  # px at 720p
MIN_TARGET = 34  # px at 720p


def _scene_rect(item: QQuickItem) -> QRectF:
    return item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))


def _active_layer(stage: Stage) -> QQuickItem:
    """What the buyer can reach now: an open overlay, else the current screen."""
    for name in ("dialog", "pinDialog", "offline"):
        overlay = stage.shell.find(name)
        if overlay is not None and overlay.isVisible():
            return overlay
    stack = stage.shell.find("stack")
    assert stack is not None
    current = stack.property("currentItem")
    assert isinstance(current, QQuickItem)
    return current


def _shown(item: QQuickItem, layer: QQuickItem) -> bool:
    """Visible, with some opacity, and not clipped away by a scrolled view."""
    node: QQuickItem | None = item
    while node is not None and node is not layer:
        if not node.isVisible() or node.opacity() == 0:
            return False
        node = node.parentItem()
    return True


def check(stage: Stage, name: str, problems: list[str]) -> None:
    """Record every rule the screen on show breaks."""
    window = stage.shell.window
    width, height = window.width(), window.height()
    scale = height / 720
    safe = QRectF(width * SAFE, height * SAFE, width * (1 - 2 * SAFE), height * (1 - 2 * SAFE))
    safe.adjust(-1, -1, 1, 1)  # rounding
    layer = _active_layer(stage)
    viewport = QRectF(0, 0, width, height)
    before = window.activeFocusItem()
    for item in list(items_under(layer)):
        if not shiboken6.isValid(item) or not _shown(item, layer):
            continue
        kind = item.metaObject().className()
        rect = _scene_rect(item)
        if not rect.intersects(viewport) or rect.isEmpty():
            continue
        if kind.startswith("UiText") and item.property("text"):
            font = item.property("font")
            size = font.pixelSize() if font is not None else 0
            if size < MIN_TEXT * scale - 0.5:
                problems.append(f"{name}: text {item.property('text')!r} is {size}px")
            if not safe.contains(rect):
                problems.append(f"{name}: text {item.property('text')!r} outside the safe area")
        if item.activeFocusOnTab() and item.isEnabled():
            if item.height() < MIN_TARGET * scale - 0.5:
                problems.append(f"{name}: {item.objectName() or kind} is {item.height()}px high")
            item.forceActiveFocus()
            wait(130)  # the focus growth animation
            if not shiboken6.isValid(item):
                continue  # a transition took it away meanwhile
            # isinstance too: while a transition deletes items, PySide can hand back a stale
            # wrapper of another type for a child's address (seen once in CI: a QMetaObject).
            ring = next(
                (c for c in cast("list[object]", item.childItems())
                 if isinstance(c, QQuickItem) and shiboken6.isValid(c)
                 and c.metaObject().className().startswith("FocusRing") and c.isVisible()),
                None,
            )
            bounds = _scene_rect(ring) if ring is not None else _scene_rect(item)
            if not safe.contains(bounds):
                problems.append(
                    f"{name}: focused {item.objectName() or kind} reaches {bounds.getCoords()}"
                )
            exempt = ("PinDialog", "QQuickGridView", "QQuickListView")
            if ring is None and not kind.startswith(exempt):
                problems.append(f"{name}: {item.objectName() or kind} shows no focus ring")
    if before is not None:
        before.forceActiveFocus()  # the walk goes on from where the buyer was
        wait(130)


def _run(size: tuple[int, int]) -> list[str]:
    problems: list[str] = []
    walk(lambda stage, name: check(stage, name, problems), size=size)
    return problems


def test_720p_layout(qtbot: QtBot) -> None:
    """At 1280x720 everything sits in the safe area, text is >=22px, targets >=34px."""
    problems = _run((1280, 720))
    assert not problems, "\n".join(problems)


def test_4k_layout(qtbot: QtBot) -> None:
    """At 3840x2160 the same layout scales: same rules, three times the pixels."""
    problems = _run((3840, 2160))
    assert not problems, "\n".join(problems)


def test_focus_ring_is_not_colour_only(qtbot: QtBot) -> None:
    """A focused control is drawn bigger and ringed, not just recoloured."""
    stage = Stage()
    try:
        root = stage.shell.window.contentItem()
        tile = next(i for i in items_under(root) if i.objectName() == "tile_movie-night")
        other = next(i for i in items_under(root) if i.objectName() == "tile_football-pass")
        wait(150)
        assert tile.hasActiveFocus()
        assert tile.scale() > 1.04
        assert other.scale() == 1.0
        ring = next(
            c for c in tile.childItems() if c.metaObject().className().startswith("FocusRing")
        )
        assert ring.isVisible()
        assert ring.property("thickness") >= 6
        assert ring.property("ringColor").name() == "#ffd23f"
    finally:
        stage.close()
