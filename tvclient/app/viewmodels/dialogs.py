"""Modal questions (quit? unlink?) and the PIN pad, opened by Python and shown over any screen."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.qtcompat import emit
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable
from tvclient.app.viewmodels.pinpad import PinPurpose, PinRequest

if TYPE_CHECKING:
    from tvclient.app.viewmodels.app_model import AppModel

QML_IMPORT_NAME = "TvClient.Models"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["DialogModel", "PinModel"]

_log = logging.getLogger(__name__)


@QmlElement
@uncreatable("Created by the app model.")
class DialogModel(ViewModel):
    """One question at a time, with buttons; Back picks the last button (the safe way out)."""

    viewChanged = Signal()

    open = shown(bool, "open", viewChanged)
    title = shown(str, "title", viewChanged)
    message = shown(str, "message", viewChanged)
    buttons = shown(list, "buttons", viewChanged)
    defaultIndex = shown(int, "defaultIndex", viewChanged)

    def __init__(self, parent: QObject | None = None) -> None:
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
@uncreatable("Created by the app model.")
class PinModel(ViewModel):
    """The PIN dialog: which question it asks, and the pad that takes the digits."""

    viewChanged = Signal()
    padChanged = Signal()

    open = shown(bool, "open", viewChanged)
    title = shown(str, "title", viewChanged)
    message = shown(str, "message", viewChanged)
    stepText = shown(str, "stepText", viewChanged)
    errorText = shown(str, "errorText", viewChanged)
    hint = shown(str, "hint", viewChanged)
    keyLabels = shown(list, "keyLabels", viewChanged)

    def __init__(self, app: AppModel) -> None:
        super().__init__(
            {"open": False, "title": "", "message": "", "stepText": "", "errorText": "",
             "hint": "", "keyLabels": []},
            app,
        )
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
        tr = self._app.t
        titles = {
            PinPurpose.VERIFY: tr("pin_title_verify"),
            PinPurpose.SET: tr("pin_title_set"),
            PinPurpose.CLEAR: tr("pin_title_clear"),
        }
        self._request = PinRequest(
            self._app, purpose, lambda ok: self._finish(ok, on_done), parent=self
        )
        self._request.pad.changed.connect(self._render)
        emit(self.padChanged)
        self._show(title=titles[purpose], message=message, hint=tr("pin_hint"))
        self._render()
        self._show(open=True)

    def _render(self) -> None:
        """Words for the pad's step and error (the pad model speaks in codes)."""
        if self._request is None:
            return
        tr, pad = self._app.t, self._request.pad
        # The pad model's state is Qt properties; read them as QML does.
        step, error = str(pad.property("step")), str(pad.property("error"))
        attempts = int(pad.property("attemptsLeft"))
        keys = [str(key) for key in pad.property("keys")]
        steps = {
            "verify": "", "current": tr("pin_step_current"), "new": tr("pin_step_new"),
            "confirm": tr("pin_step_confirm"),
        }
        errors = {
            "": "",
            "wrong": tr("pin_error_wrong", attempts=attempts),
            "locked": tr("pin_error_locked"),
            "mismatch": tr("pin_error_mismatch"),
            "unreadable": tr("pin_error_unreadable"),
        }
        labels = {"delete": "\u232b", "enter": tr("pin_key_enter")}
        self._show(
            stepText=steps.get(step, ""),
            errorText=errors.get(error, tr("pin_error_wrong", attempts=attempts)),
            keyLabels=[labels.get(key, key) for key in keys],
        )

    def cancel(self) -> None:
        """Back: give up on the PIN."""
        if self._request is not None:
            self._request.cancel()

    def _finish(self, ok: bool, on_done: Callable[[bool], None]) -> None:
        request, self._request = self._request, None
        self._show(open=False)
        emit(self.padChanged)
        if request is not None:
            request.close()
        on_done(ok)
