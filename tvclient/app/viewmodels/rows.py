"""A list model of plain dict rows, for QML views that keep their current item on updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from tvclient.app.qtcompat import emit

__all__ = ["RowsModel"]

_USER = int(Qt.ItemDataRole.UserRole)


class RowsModel(QAbstractListModel):
    """Rows of `{role: value}`; every row has the same roles, fixed at construction.

    `update()` keeps the views' current index when only values change (same `key` sequence):
    a price update must not throw the focus back to the first tile.
    """

    countChanged = Signal()

    def __init__(self, roles: Sequence[str], key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if key not in roles:
            raise ValueError(f"key role {key!r} is not one of {list(roles)}")
        self._roles = list(roles)
        self._key = key
        self._rows: list[dict[str, Any]] = []

    def roleNames(self) -> dict[int, QByteArray]:
        """Role numbers to the names QML delegates use."""
        return {_USER + i: QByteArray(name.encode()) for i, name in enumerate(self._roles)}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        """Number of rows (a flat list: children of a valid index have none)."""
        if parent is not None and parent.isValid():
            return 0
        return len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        """The value of `role` in the row at `index`."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        position = role - _USER
        if not 0 <= position < len(self._roles):
            return None
        return self._rows[index.row()].get(self._roles[position])

    def _get_count(self) -> int:
        return len(self._rows)

    count = Property(int, _get_count, notify=countChanged)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """A copy of the rows."""
        return [dict(r) for r in self._rows]

    def row(self, position: int) -> dict[str, Any] | None:
        """One row, or None when out of range."""
        if 0 <= position < len(self._rows):
            return dict(self._rows[position])
        return None

    def update(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the rows, in place when the keys are the same and in the same order."""
        new = [{role: r.get(role) for role in self._roles} for r in rows]
        same_keys = [r[self._key] for r in new] == [r[self._key] for r in self._rows]
        if same_keys:
            changed = [i for i, (a, b) in enumerate(zip(self._rows, new, strict=True)) if a != b]
            self._rows = new
            if changed:
                emit(self.dataChanged, self.index(min(changed)), self.index(max(changed)))
            return
        self.beginResetModel()
        self._rows = new
        self.endResetModel()
        emit(self.countChanged)
