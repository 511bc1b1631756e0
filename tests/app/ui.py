"""Driving the real app scene in tests: keys, focus, screens, waiting without holding the GIL.

`QTest.qWait` keeps Python's GIL while it spins the event loop, which starves the device core's
worker thread; every wait here goes through pytest-qt (a `QEventLoop`), which releases it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeyEvent
from PySide6.QtQuick import QQuickItem
from pytestqt.qtbot import QtBot

from tests.helpers.clock import FakeClock
from tvclient.app.shell import AppShell

OK = Qt.Key.Key_Return
BACK = Qt.Key.Key_Escape
UP, DOWN, LEFT, RIGHT = Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right


def walk(item: QQuickItem) -> Iterator[QQuickItem]:
    """Every item under `item` in the visual tree (delegates included, unlike findChild).

    Items a transition deletes while the walk runs are skipped.
    """
    yield item
    for child in item.childItems():
        if shiboken6.isValid(child) and isinstance(child, QQuickItem):
            yield from walk(child)


def find_item(shell: AppShell, name: str) -> QQuickItem | None:
    """The first visible item named `name`, or None."""
    for item in walk(shell.window.contentItem()):
        if item.objectName() == name and item.isVisible():
            return item
    return None


def focused(shell: AppShell) -> str:
    """The objectName of the focused item, or of its nearest named ancestor."""
    item: QQuickItem | None = shell.window.activeFocusItem()
    while item is not None and not item.objectName():
        item = item.parentItem()
    return item.objectName() if item is not None else ""


def send(shell: AppShell, key: Qt.Key, *, release: bool = True, repeat: bool = False) -> None:
    """One key press (and release) delivered to the window as the platform would."""
    window = shell.window
    QGuiApplication.sendEvent(
        window, QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, "", repeat)
    )
    if release:
        QGuiApplication.sendEvent(
            window,
            QKeyEvent(QKeyEvent.Type.KeyRelease, key, Qt.KeyboardModifier.NoModifier, "", repeat),
        )


def release(shell: AppShell, key: Qt.Key) -> None:
    """The release of a key pressed earlier with `send(..., release=False)`."""
    QGuiApplication.sendEvent(
        shell.window, QKeyEvent(QKeyEvent.Type.KeyRelease, key, Qt.KeyboardModifier.NoModifier)
    )


def screen(shell: AppShell) -> str:
    """The screen Python says is on show."""
    return shell.model.navigator.top.value


def settle(qtbot: QtBot, shell: AppShell, name: str, timeout: int = 3000) -> None:
    """Wait until `name` is the current screen, its transition is over and it has the focus."""

    def shown() -> None:
        assert screen(shell) == name
        stack = shell.find("stack")
        assert stack is not None
        assert not stack.property("busy")
        current = stack.property("currentItem")
        assert isinstance(current, QObject)
        assert current.objectName() == f"screen_{name}"

    qtbot.waitUntil(shown, timeout=timeout)
    qtbot.wait(30)


def wait_focus(qtbot: QtBot, shell: AppShell, name: str, timeout: int = 3000) -> None:
    """Wait until the item named `name` has the focus."""

    def has() -> None:
        assert focused(shell) == name, f"focus is on {focused(shell)!r}"

    qtbot.waitUntil(has, timeout=timeout)


def tick(shell: AppShell, clock: FakeClock, seconds: float) -> None:
    """Move the fake clock on the worker loop, where the device core's sleepers wait."""
    shell.worker.call_sync(lambda: clock.advance(seconds))


def steer(shell: AppShell, action: Callable[[], object]) -> None:
    """Run a fake backend's steering call (approve, decline...) on the worker loop."""
    shell.worker.call_sync(action)


def grab(shell: AppShell) -> QImage:
    """What the window shows now."""
    return shell.window.grabWindow()
