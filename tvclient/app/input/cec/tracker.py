"""CEC key reports → press / repeat / release events, whatever the TV sends (no Qt).

TVs differ (tv-anchors §2.2): some send a release for every press, some only presses (a held key
is the press resent every 200-500 ms), some repeat on their own. The tracker makes one model of
it: a DOWN for a key that is already down is a repeat; a DOWN for another key releases the first;
a key not heard from for `release_timeout` is released. Double presses are not dropped here but
by the input filter's per-kind window, so the rule lives in one place.
"""

from __future__ import annotations

from tvclient.app.input.actions import Action, DeviceKind, InputEvent, Phase
from tvclient.app.input.cec.sources import CecKey, KeyState

__all__ = ["CecKeyTracker"]


class CecKeyTracker:
    """Tracks the one key a CEC remote can hold at a time."""

    def __init__(self, source: str, release_timeout: float = 0.55) -> None:
        self._source = source
        self._timeout = release_timeout
        self._held: Action | None = None
        self._last_heard = 0.0

    @property
    def source(self) -> str:
        """The source id the events carry."""
        return self._source

    def feed(self, key: CecKey, at: float) -> list[InputEvent]:
        """One key report received at `at`."""
        events = self.expire(at)
        if key.action is None:
            return events
        if key.state is KeyState.UP:
            if self._held == key.action:
                events.append(self._event(key.action, Phase.RELEASE, at))
                self._held = None
            return events
        if self._held == key.action:
            self._last_heard = at
            events.append(self._event(key.action, Phase.REPEAT, at))
            return events
        events += self.release_all(at)
        self._held = key.action
        self._last_heard = at
        events.append(self._event(key.action, Phase.PRESS, at))
        return events

    def expire(self, at: float) -> list[InputEvent]:
        """Release a held key the TV has stopped repeating."""
        if self._held is not None and at - self._last_heard >= self._timeout:
            return self.release_all(at)
        return []

    def release_all(self, at: float) -> list[InputEvent]:
        """Release whatever is held (adapter lost, another key pressed)."""
        if self._held is None:
            return []
        action, self._held = self._held, None
        return [self._event(action, Phase.RELEASE, at)]

    def _event(self, action: Action, phase: Phase, at: float) -> InputEvent:
        return InputEvent(action, phase, DeviceKind.CEC, self._source, at)
