"""Modal questions (quit? unlink?) and the PIN pad, opened by Python and shown over any screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from tvclient.app.viewmodels.base import ViewModel, shown
from tvclient.app.viewmodels.pinpad import PinPurpose, PinRequest

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["DialogModel", "PinModel"]

_log = logging.getLogger(__name__)


@QmlElement
@QmlUncreatable("Created by the app model.")
class DialogModel(ViewModel):
    """One question at a time, with buttons; Back picks the last button (the safe way out)."""

    viewChanged = Signal()

    open = shown(bool, "open", viewChanged)
    title = shown(str, "title", viewChanged)
    message = shown(str, "message", viewChanged)
    buttons = shown(list, "buttons", viewChanged)
    defaultIndex = shown(int, "defaultIndex", viewChanged)

    def __init__(self, parent: QObject) -> None:
        super().__init__(
            {"open": False, "title": "", "message": "", "buttons": [], "defaultIndex": 0}, parent
        )
        self._on_choice: Callable[[int], None] | None = None
        self._cancel_index = 0

    @property
    def open_(self) -> bool:
        """A question is showing."""
        return bool(self._view["open"])

    def ask(
        self,
        title: str,
        message: str,
        buttons: list[str],
        on_choice: Callable[[int], None],
        *,
        default_index: int = 0,
        cancel_index: int | None = None,
    ) -> None:
        """Show a question; `on_choice(index)` runs once with the button chosen.

        The default button (focused first) is the harmless one; Back chooses `cancel_index`
        (the default button unless given).
        """
        if not buttons:
            raise ValueError("a dialog needs at least one button")
        self._on_choice = on_choice
        self._cancel_index = default_index if cancel_index is None else cancel_index
        self._show(title=title, message=message, buttons=list(buttons), defaultIndex=default_index)
        self._show(open=True)

    @Slot(int)
    def choose(self, index: int) -> None:
        """A button was activated."""
        callback, self._on_choice = self._on_choice, None
        self._show(open=False)
        if callback is not None:
            callback(index)

    def cancel(self) -> None:
        """Back: the safe choice."""
        self.choose(self._cancel_index)


@QmlElement
@QmlUncreatable("Created by the app model.")
class PinModel(ViewModel):
    """The PIN dialog: which question it asks, and the pad that takes the digits."""

    viewChanged = Signal()
    padChanged = Signal()

    open = shown(bool, "open", viewChanged)
    title = shown(str, "title", viewChanged)
    message = shown(str, "message", viewChanged)
    hint = shown(str, "hint", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__({"open": False, "title": "", "message": "", "hint": ""}, app)
        self._app = app
        self._request: PinRequest | None = None

    def _get_pad(self) -> QObject | None:
        return self._request.pad if self._request is not None else None

    pad = Property(QObject, _get_pad, notify=padChanged)

    @property
    def open_(self) -> bool:
        """The PIN dialog is showing."""
        return bool(self._view["open"])

    @property
    def request(self) -> PinRequest | None:
        """The question being asked (tests enter digits through its pad)."""
        return self._request

    def ask(
        self, purpose: PinPurpose, message: str, on_done: Callable[[bool], None]
    ) -> None:
        """Ask for the PIN; `on_done(True)` once it is right (or set), `on_done(False)` if not."""
        if self._request is not None:
            self._request.close()
        tr = self._app.tr
        titles = {
            PinPurpose.VERIFY: tr("pin_title_verify"),
            PinPurpose.SET: tr("pin_title_set"),
            PinPurpose.CLEAR: tr("pin_title_clear"),
        }
        self._request = PinRequest(
            self._app, purpose, lambda ok: self._finish(ok, on_done), parent=self
        )
        self.padChanged.emit()
        self._show(title=titles[purpose], message=message, hint=tr("pin_hint"))
        self._show(open=True)

    def cancel(self) -> None:
        """Back: give up on the PIN."""
        if self._request is not None:
            self._request.cancel()

    def _finish(self, ok: bool, on_done: Callable[[bool], None]) -> None:
        request, self._request = self._request, None
        self._show(open=False)
        self.padChanged.emit()
        if request is not None:
            request.close()
        on_done(ok)
