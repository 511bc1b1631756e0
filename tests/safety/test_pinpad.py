"""PIN entry logic: digits or arrows + OK on a 3x4 pad; Back deletes, then cancels."""

from __future__ import annotations

import pytest

from tvclient.device.safety.pinpad import PAD_KEYS, PadResult, PinPad


def test_digit_keys_complete_the_entry():
    """Typing four digits completes the entry and hands over the PIN once."""
    pad = PinPad()
    assert [pad.digit(d) for d in "258"] == [PadResult.CHANGED] * 3
    assert pad.digit("0") is PadResult.COMPLETE
    assert pad.take() == "2580"
    assert pad.count == 0


def test_arrows_and_ok_type_on_the_pad():
    """Arrows move over 1-9 / ⌫ 0 ✓ without wrapping; OK types the focused key."""
    pad = PinPad()
    assert PAD_KEYS[pad.focus] == "1"
    assert pad.move(-1, 0) is PadResult.NOTHING  # top edge
    pad.move(0, 1)
    assert pad.activate() is PadResult.CHANGED  # "2"
    pad.move(1, 0)
    pad.activate()  # "5"
    for _ in range(5):
        pad.move(1, 0)  # held Down stops at the bottom row
    assert PAD_KEYS[pad.focus] == "0"
    pad.activate()
    pad.move(0, 1)
    assert PAD_KEYS[pad.focus] == "enter"
    assert pad.activate() is PadResult.NOTHING  # three digits only
    pad.move(-1, 0)
    assert pad.activate() is PadResult.COMPLETE  # "9"
    assert pad.take() == "2509"


def test_delete_key_and_back():
    """⌫ and Back remove the last digit; Back with nothing typed cancels."""
    pad = PinPad()
    pad.digit("1")
    pad.digit("2")
    assert pad.activate(PAD_KEYS.index("delete")) is PadResult.CHANGED
    assert pad.count == 1
    assert pad.back() is PadResult.CHANGED
    assert pad.back() is PadResult.CANCEL


def test_no_more_digits_than_the_length():
    """Digits beyond the PIN's length are ignored."""
    pad = PinPad()
    for d in "1234":
        pad.digit(d)
    assert pad.digit("5") is PadResult.NOTHING
    assert pad.take() == "1234"


def test_bad_inputs_are_refused():
    """Non-digits, out-of-range taps and odd lengths are refused."""
    pad = PinPad()
    with pytest.raises(ValueError, match="digit"):
        pad.digit("x")
    assert pad.activate(99) is PadResult.NOTHING
    with pytest.raises(ValueError, match="length"):
        PinPad(3)
