"""One PIN question: the input layer's pad model for the digits, plus what to do with the answer."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

__all__ = ["PinPurpose", "PinRequest"]


class PinPurpose(StrEnum):
    """Why the PIN is asked for; the values are the pad model's purposes."""

    VERIFY = "verify"   # approve one purchase (or a settings change)
    SET = "set"         # choose a new PIN (none is set)
    CLEAR = "clear"     # remove the PIN (needs the current one)


class PinRequest:
    """A pad for one question; calls `on_done(True)` when it was answered rightly."""

    def __init__(
        self,
        app: AppModel,
        purpose: PinPurpose,
        on_done: Callable[[bool], None],
        parent: QObject,
    ) -> None:
        from tvclient.app.input.pinpad import PinPadModel

        self.purpose = purpose
        self._on_done: Callable[[bool], None] | None = on_done
        self.pad = PinPadModel(app.services.pins, purpose=purpose.value, parent=parent)
        self.pad.accepted.connect(lambda: self._finish(True))
        self.pad.cancelled.connect(lambda: self._finish(False))

    def cancel(self) -> None:
        """Give up (Back outside the pad)."""
        self._finish(False)

    def close(self) -> None:
        """Drop the pad."""
        self._on_done = None
        self.pad.deleteLater()

    def _finish(self, ok: bool) -> None:
        callback, self._on_done = self._on_done, None
        if callback is not None:
            callback(ok)
