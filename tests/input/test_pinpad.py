"""The PIN pad view-model: digits or arrows, checking, setting and clearing the PIN."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.helpers.clock import FakeClock
from tvclient.app.input.pinpad import PinPadModel
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.safety.store import MemoryStateStore

K = Qt.Key


@pytest.fixture
def guard() -> PinGuard:
    """A PIN guard with a cheap scrypt cost."""
    return PinGuard(MemoryStateStore(), FakeClock(), SafetySettings(), scrypt_n=2**4)


def prop(model: PinPadModel, name: str) -> Any:
    """Read a property the way QML does."""
    return model.property(name)


class Signals:
    def __init__(self, model: PinPadModel) -> None:
        self.accepted = 0
        self.cancelled = 0
        model.accepted.connect(self._accept)
        model.cancelled.connect(self._cancel)

    def _accept(self) -> None:
        self.accepted += 1

    def _cancel(self) -> None:
        self.cancelled += 1


def type_digits(model: PinPadModel, pin: str) -> None:
    """Type digits on the remote's number keys."""
    for digit in pin:
        assert model.handleKey(K.Key_0.value + int(digit))


def test_verify_with_digit_keys(guard, qtbot):
    """The right PIN typed on the remote's digits is accepted."""
    guard.set_pin("2580")
    model = PinPadModel(guard)
    seen = Signals(model)
    type_digits(model, "258")
    assert prop(model, "entered") == 3
    type_digits(model, "0")
    assert seen.accepted == 1
    assert prop(model, "entered") == 0


def test_verify_with_arrows_and_ok(guard, qtbot):
    """A controller user types the PIN with the D-pad and A on the on-screen pad."""
    guard.set_pin("2580")
    model = PinPadModel(guard)
    seen = Signals(model)
    moves = [K.Key_Right, K.Key_Return, K.Key_Down, K.Key_Return, K.Key_Down, K.Key_Return,
             K.Key_Down, K.Key_Return]
    for key in moves:
        assert model.handleKey(key.value)
    assert prop(model, "keys")[prop(model, "focusIndex")] == "0"
    assert seen.accepted == 1


def test_wrong_pins_count_down_then_lock(guard, qtbot):
    """Wrong PINs show tries left; the fifth locks purchases."""
    guard.set_pin("2580")
    model = PinPadModel(guard)
    seen = Signals(model)
    type_digits(model, "1111")
    assert prop(model, "error") == "wrong"
    assert prop(model, "attemptsLeft") == 4
    for _ in range(4):
        type_digits(model, "1111")
    assert prop(model, "error") == "locked"
    assert prop(model, "locked")
    assert prop(model, "lockedUntil")
    type_digits(model, "2580")
    assert prop(model, "error") == "locked"
    assert seen.accepted == 0


def test_back_deletes_then_cancels_other_keys_pass(guard, qtbot):
    """Back deletes a digit, then cancels; keys the pad does not use are not consumed."""
    model = PinPadModel(guard)
    seen = Signals(model)
    type_digits(model, "12")
    assert model.handleKey(K.Key_Escape.value)
    assert prop(model, "entered") == 1
    model.handleKey(K.Key_Escape.value)
    model.handleKey(K.Key_Escape.value)
    assert seen.cancelled == 1
    assert not model.handleKey(K.Key_Menu.value)


def test_set_a_new_pin_twice(guard, qtbot):
    """Setting a PIN asks for it twice; a mismatch starts the new PIN again."""
    model = PinPadModel(guard, purpose="set")
    seen = Signals(model)
    assert prop(model, "step") == "new"
    type_digits(model, "1357")
    assert prop(model, "step") == "confirm"
    type_digits(model, "1358")
    assert prop(model, "error") == "mismatch"
    assert prop(model, "step") == "new"
    type_digits(model, "1357")
    type_digits(model, "1357")
    assert seen.accepted == 1
    guard.verify("1357")


def test_change_needs_the_current_pin(guard, qtbot):
    """Changing an existing PIN starts with the current one; a wrong one goes no further."""
    guard.set_pin("2580")
    model = PinPadModel(guard, purpose="set")
    seen = Signals(model)
    assert prop(model, "step") == "current"
    type_digits(model, "0000")
    assert prop(model, "error") == "wrong"
    assert prop(model, "step") == "current"
    type_digits(model, "2580")
    type_digits(model, "9753")
    type_digits(model, "9753")
    assert seen.accepted == 1
    guard.verify("9753")


def test_clear_with_the_current_pin(guard, qtbot):
    """Removing the PIN needs the current PIN; pointer taps work too."""
    guard.set_pin("2580")
    model = PinPadModel(guard, purpose="clear")
    seen = Signals(model)
    for digit in "2580":
        model.activate(prop(model, "keys").index(digit))
    assert seen.accepted == 1
    assert not guard.has_pin()


def test_unknown_purpose_is_refused(guard, qtbot):
    """A typo in the purpose is a programming error caught at once."""
    with pytest.raises(ValueError, match="purpose"):
        PinPadModel(guard, purpose="verfy")
