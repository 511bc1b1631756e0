"""The view-model base: ready-to-show values in one dict, announced with one signal.

Each subclass declares its own `viewChanged = Signal()` and its properties with `shown(...)`:
Qt only accepts a notify signal declared on the same class as the property.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Property, QObject, Signal

__all__ = ["ViewModel", "shown"]


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
            self.viewChanged.emit()


def shown(kind: type, key: str, notify: Signal) -> Any:
    """A read-only Qt property showing `self._view[key]`."""

    def _get(self: ViewModel) -> Any:
        return self._view[key]

    return Property(kind, _get, notify=notify)
