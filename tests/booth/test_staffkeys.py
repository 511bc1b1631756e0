"""The staff key sequence: the exact order, in time, and nothing else in between."""

from __future__ import annotations

import itertools

from tests.helpers.clock import FakeClock
from tvclient.booth.staffkeys import STAFF_SEQUENCE, KeySequence


def _enter(sequence: KeySequence, keys: list[str]) -> list[bool]:
    return [sequence.press(key) for key in keys]


def test_the_sequence_opens_once_complete() -> None:
    """Only the sixth key of the right sequence completes it."""
    results = _enter(KeySequence(FakeClock()), list(STAFF_SEQUENCE))
    assert results == [False] * 5 + [True]


def test_no_key_repeats_twice_in_a_row() -> None:
    """TV remotes drop quick repeats of one key, so the sequence never needs one."""
    assert all(a != b for a, b in itertools.pairwise(STAFF_SEQUENCE))
    assert "blue" not in STAFF_SEQUENCE  # Blue is the approve key


def test_another_key_in_between_starts_over() -> None:
    """An arrow in the middle breaks the sequence; the whole sequence is needed again."""
    sequence = KeySequence(FakeClock())
    assert not any(_enter(sequence, ["red", "green", "yellow", "other", "green", "yellow"]))
    assert sequence.progress == 0
    assert _enter(sequence, list(STAFF_SEQUENCE)) == [False] * 5 + [True]


def test_a_slow_sequence_does_not_count() -> None:
    """More than 3 s between two keys starts over."""
    clock = FakeClock()
    sequence = KeySequence(clock)
    _enter(sequence, ["red", "green", "yellow"])
    clock.advance(3.5)
    assert not any(_enter(sequence, ["red", "green", "yellow"]))
    assert sequence.progress == 3


def test_a_wrong_key_that_begins_the_sequence_begins_it_again() -> None:
    """Red in the middle of a broken attempt counts as a new first key."""
    sequence = KeySequence(FakeClock())
    first = sequence.press("red")
    runs = sequence.run
    _enter(sequence, ["green", "red"])
    assert not first
    assert sequence.progress == 1
    assert sequence.run == runs + 1
    assert _enter(sequence, list(STAFF_SEQUENCE[1:]))[-1]
