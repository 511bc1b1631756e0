"""What the booth's overlays show (Qt): one view-model for all of them.

The attract loop, the countdown, the staff PIN pad and the staff menu share it. The booth
(`tvclient.booth.kiosk.Booth`) decides; this
only holds ready-to-show values and passes pointer taps on the staff screens back as signals
(taps on the attract loop and the countdown are the kiosk filter's, like key presses).
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QmlElement

from tvclient.app.qtcompat import emit
from tvclient.app.viewmodels.base import ViewModel, shown, uncreatable

QML_IMPORT_NAME = "TvClient.BoothModels"
QML_IMPORT_MAJOR_VERSION = 1

__all__ = ["BoothModel"]


@QmlElement
@uncreatable("The booth model is created by tvclient.booth.")
class BoothModel(ViewModel):
    """The booth's overlays as QML sees them."""

    viewChanged = Signal()
    menuTapped = Signal(int)
    padTapped = Signal(int)

    mode = shown(str, "mode", viewChanged)
    ready = shown(bool, "ready", viewChanged)
    secondsLeft = shown(int, "secondsLeft", viewChanged)
    countdown = shown(int, "countdown", viewChanged)
    attractStep = shown(int, "attractStep", viewChanged)
    texts = shown(dict, "texts", viewChanged)
    demo = shown(bool, "demo", viewChanged)
    staff = shown(str, "staff", viewChanged)
    padError = shown(str, "padError", viewChanged)
    padKeys = shown(list, "padKeys", viewChanged)
    menuItems = shown(list, "menuItems", viewChanged)
    menuIndex = shown(int, "menuIndex", viewChanged)
    statsRows = shown(list, "statsRows", viewChanged)
    statsNotes = shown(list, "statsNotes", viewChanged)
    phonesOk = shown(bool, "phonesOk", viewChanged)
    notice = shown(str, "notice", viewChanged)

    def __init__(self, pad: QObject, parent: QObject | None = None) -> None:
        super().__init__(
            {
                "mode": "resetting", "ready": False, "secondsLeft": 0, "countdown": 10,
                "attractStep": 0, "texts": {}, "demo": True, "staff": "", "padError": "",
                "padKeys": [], "menuItems": [], "menuIndex": 0, "statsRows": [],
                "statsNotes": [], "phonesOk": True, "notice": "",
            },
            parent,
        )
        self._pad = pad

    def _get_pad(self) -> QObject:
        return self._pad

    #: The staff PIN pad's model (`tvclient.app.input.pinpad.PinPadModel`).
    pad = Property(QObject, _get_pad, constant=True)

    def show(self, **values: object) -> None:
        """Change what is shown (the booth calls this)."""
        self._show(**values)

    @Slot(int)
    def tapMenu(self, index: int) -> None:
        """A pointer tap on staff menu entry `index`."""
        emit(self.menuTapped, index)

    @Slot(int)
    def tapPad(self, index: int) -> None:
        """A pointer tap on PIN pad key `index`."""
        emit(self.padTapped, index)
