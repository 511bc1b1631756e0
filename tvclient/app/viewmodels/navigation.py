"""The screen stack, kept in Python so flows decide where the buyer goes and tests can see it."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtQml import QmlElement

from tvclient.app.qtcompat import emit
from tvclient.app.viewmodels.base import uncreatable

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["Navigator", "Screen"]


class Screen(StrEnum):
    """Every screen; the value is the name QML maps to a component."""

    LANGUAGE = "language"
    HOME = "home"
    PRODUCT = "product"
    WALLETS = "wallets"
    SCAN = "scan"
    BOUND = "bound"
    PAYING = "paying"
    RECEIPT = "receipt"
    FAILURE = "failure"
    ACCOUNT = "account"


@QmlElement
@uncreatable("The navigator belongs to the app model.")
class Navigator(QObject):
    """A stack of screens. QML's StackView replays every change it announces.

    Operations announced through `changed(op, screens)`: `push` (one screen on top), `pop`
    (remove the top), `replace` (swap the top), `reset` (the whole stack becomes `screens`).
    """

    changed = Signal(str, list)
    currentChanged = Signal()

    def __init__(self, root: Screen, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stack: list[Screen] = [root]

    @property
    def stack(self) -> tuple[Screen, ...]:
        """The screens, bottom first."""
        return tuple(self._stack)

    @property
    def top(self) -> Screen:
        """The screen on show."""
        return self._stack[-1]

    def _get_current(self) -> str:
        return self._stack[-1].value

    current = Property(str, _get_current, notify=currentChanged)

    def _get_initial(self) -> list[str]:
        return [s.value for s in self._stack]

    # What QML builds its StackView from when it starts.
    initial = Property(list, _get_initial, constant=True)

    def push(self, screen: Screen) -> None:
        """Show `screen` on top of the current one."""
        self._stack.append(screen)
        self._announce("push", [screen])

    def pop(self) -> bool:
        """Go back one screen; False (and nothing happens) at the root."""
        if len(self._stack) == 1:
            return False
        self._stack.pop()
        self._announce("pop", [])
        return True

    def replace(self, screen: Screen) -> None:
        """Show `screen` instead of the current one (Back will not return to the old one)."""
        if self._stack[-1] is screen:
            return
        self._stack[-1] = screen
        self._announce("replace", [screen])

    def reset(self, *screens: Screen) -> None:
        """Make the stack exactly `screens` (bottom first)."""
        if not screens:
            raise ValueError("the stack cannot be empty")
        if tuple(screens) == tuple(self._stack):
            return
        self._stack = list(screens)
        self._announce("reset", list(screens))

    def contains(self, screen: Screen) -> bool:
        """True when `screen` is somewhere in the stack."""
        return screen in self._stack

    def _announce(self, op: str, screens: list[Screen]) -> None:
        emit(self.changed, op, [s.value for s in screens])
        emit(self.currentChanged)
