"""Repeat and double-press filtering per device kind, and press ids (no Qt).

Every backend's events pass through one `InputFilter`, which:

- gives each fresh press an id that its repeats and release share (the Pay gate needs it);
- drops repeats of anything but the four arrows, and throttles arrow repeats to a steady rate
  (keyboards repeat at the OS rate, TVs at whatever rate their vendor chose);
- drops, for device kinds that have a double-press window (CEC and IR remotes), a second press
  of the same action that starts within the window of the previous one, together with its
  repeats and release — TVs and universal remotes that send each press twice or three times
  (tv-anchors §2.2) then register once;
- after `forget_held()` (the window lost focus), ignores the repeats and releases of keys that
  were already down, so a press carried across a focus change never acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tvclient.app.input.actions import NAVIGATION, Action, DeviceKind, InputEvent, Phase

__all__ = ["Accepted", "InputFilter", "KindPolicy"]

# Timer-driven repeats land a hair early or late; a millisecond of slack keeps a steady rate
# from dropping every other repeat.
_SLACK = 0.001


@dataclass(frozen=True, slots=True)
class KindPolicy:
    """Filtering rules for one device kind.

    Attributes:
        repeat_interval: Least time between two delivered arrow repeats; 0 passes them all
            (backends that time their own repeats).
        double_press_window: A second press of the same action sooner than this after the
            previous one is dropped; 0 turns the filter off.
    """

    repeat_interval: float = 0.0
    double_press_window: float = 0.0


@dataclass(frozen=True, slots=True)
class Accepted:
    """An event that passed the filter, annotated for delivery.

    Attributes:
        action: The action.
        phase: Press, repeat or release.
        kind: The device family.
        source: The device within the family.
        press_id: Shared by a press, its repeats and its release.
        began_at: When the press began (monotonic seconds).
        at: When this event happened (monotonic seconds).
    """

    action: Action
    phase: Phase
    kind: DeviceKind
    source: str
    press_id: int
    began_at: float
    at: float

    @property
    def repeat(self) -> bool:
        """Whether this is an auto-repeat of a held key."""
        return self.phase is Phase.REPEAT


@dataclass(slots=True)
class _Held:
    press_id: int
    began_at: float
    last_delivered: float
    dropped: bool


class InputFilter:
    """Decides which device events become UI key events."""

    def __init__(self, policies: Mapping[DeviceKind, KindPolicy]) -> None:
        self._policies = dict(policies)
        self._held: dict[tuple[DeviceKind, str, Action], _Held] = {}
        self._last_press: dict[tuple[DeviceKind, Action], float] = {}
        self._next_id = 1

    def policy(self, kind: DeviceKind) -> KindPolicy:
        """The rules applied to a device kind."""
        return self._policies.get(kind, KindPolicy())

    def accept(self, event: InputEvent) -> Accepted | None:
        """The annotated event to deliver, or None when the event is filtered out."""
        key = (event.kind, event.source, event.action)
        if event.phase is Phase.PRESS:
            return self._press(key, event)
        held = self._held.get(key)
        if event.phase is Phase.RELEASE:
            if held is None:
                return None
            del self._held[key]
            return None if held.dropped else self._annotate(event, held)
        # A repeat.
        if held is None or held.dropped or event.action not in NAVIGATION:
            return None
        interval = self.policy(event.kind).repeat_interval
        if interval and event.at - held.last_delivered < interval - _SLACK:
            return None
        held.last_delivered = event.at
        return self._annotate(event, held)

    def forget_held(self) -> None:
        """Keys down right now were pressed before a focus change: ignore their rest."""
        self._held.clear()

    def new_press_id(self) -> int:
        """A fresh press id for presses that do not come through the filter (pointer taps)."""
        press_id = self._next_id
        self._next_id += 1
        return press_id

    def held_count(self) -> int:
        """How many keys are down as far as the filter knows."""
        return len(self._held)

    def _press(self, key: tuple[DeviceKind, str, Action], event: InputEvent) -> Accepted | None:
        window = self.policy(event.kind).double_press_window
        previous = self._last_press.get((event.kind, event.action))
        self._last_press[(event.kind, event.action)] = event.at
        dropped = bool(window) and previous is not None and event.at - previous < window
        held = _Held(self.new_press_id(), event.at, event.at, dropped)
        self._held[key] = held
        return None if dropped else self._annotate(event, held)

    @staticmethod
    def _annotate(event: InputEvent, held: _Held) -> Accepted:
        return Accepted(
            action=event.action,
            phase=event.phase,
            kind=event.kind,
            source=event.source,
            press_id=held.press_id,
            began_at=held.began_at,
            at=event.at,
        )
