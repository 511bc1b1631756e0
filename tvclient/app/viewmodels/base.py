"""The view-model base: ready-to-show values in one dict, announced with one signal.

Each subclass declares its own `viewChanged = Signal()` and its properties with `shown(...)`:
Qt only accepts a notify signal declared on the same class as the property.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Property, QObject, Signal
from PySide6.QtQml import QmlUncreatable

from tvclient.app.qtcompat import emit

__all__ = ["ViewModel", "shown", "uncreatable"]

T = TypeVar("T")


class ViewModel(QObject):
    """A QObject whose QML-visible state is a dict of ready-to-show values."""

    viewChanged: Signal  # declared by each subclass (see the module docstring)

    def __init__(self, initial: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view: dict[str, Any] = dict(initial)

    def view(self, key: str) -> Any:
        """The current value of one shown property (tests read state through this too)."""
        return self._view[key]

    def _show(self, **values: Any) -> None:
        """Change shown values; QML hears about it once, and only if something changed."""
        changed = False
        for key, value in values.items():
            if key not in self._view:
                raise KeyError(f"{type(self).__name__} shows no {key!r}")
            if self._view[key] != value:
                self._view[key] = value
                changed = True
        if changed:
            emit(self.viewChanged)


def shown(kind: type, key: str, notify: Signal) -> Any:
    """A read-only Qt property showing `self._view[key]`."""

    def _get(self: ViewModel) -> Any:
        return self._view[key]

    return Property(kind, _get, notify=notify)


def uncreatable(reason: str) -> Callable[[type[T]], type[T]]:
    """`@QmlUncreatable(reason)`: QML may use the type but never create one.

    PySide's stub declares `QmlUncreatable` without `__call__`, so mypy needs this one cast.
    """
    decorator: Callable[[type[T]], type[T]] = QmlUncreatable(reason)  # type: ignore[assignment]
    return decorator
