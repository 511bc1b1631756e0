"""A value that tells its subscribers when it changes: how the flows talk to a view-model.

A subscriber is a plain callable taking the new value; it runs synchronously on the event loop
that drives the flow, so a Qt view-model hands the value to its own thread (a queued signal)
and a test simply appends it to a list. A subscriber that raises is logged and kept; it cannot
break the flow that notified it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Generic, Protocol, TypeVar

__all__ = ["Observable", "Subscribable", "Unsubscribe", "follow"]

_log = logging.getLogger(__name__)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

Unsubscribe = Callable[[], None]


class Subscribable(Protocol[T_co]):
    """Anything with a current state and change notifications (the flows, the account)."""

    @property
    def state(self) -> T_co:
        """The current value."""
        ...

    def subscribe(self, callback: Callable[[T_co], None], *, replay: bool = True) -> Unsubscribe:
        """Call `callback` with every new value (and the current one first when `replay`)."""
        ...


class Observable(Generic[T]):
    """A current value plus the callbacks to tell about each new one."""

    def __init__(self, initial: T) -> None:
        self._value = initial
        self._callbacks: list[Callable[[T], None]] = []

    @property
    def value(self) -> T:
        """The current value."""
        return self._value

    @property
    def state(self) -> T:
        """The current value (the `Subscribable` spelling)."""
        return self._value

    def subscribe(self, callback: Callable[[T], None], *, replay: bool = True) -> Unsubscribe:
        """Call `callback` with each new value; with `replay`, with the current one right away.

        Returns:
            A function that removes the subscription (safe to call twice).
        """
        self._callbacks.append(callback)
        if replay:
            self._deliver(callback, self._value)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return unsubscribe

    def publish(self, value: T) -> None:
        """Make `value` current and tell every subscriber."""
        self._value = value
        for callback in list(self._callbacks):
            self._deliver(callback, value)

    @staticmethod
    def _deliver(callback: Callable[[T], None], value: T) -> None:
        try:
            callback(value)
        except Exception:  # noqa: BLE001 - a subscriber's bug must not stop the flow
            _log.exception("a state subscriber failed")


async def follow(source: Subscribable[T], run: Awaitable[object]) -> AsyncGenerator[T, None]:
    """Run `run` and yield every state `source` publishes meanwhile, ending after the last.

    Closing the iterator early (or cancelling its consumer) cancels `run`.
    """
    queue: asyncio.Queue[T] = asyncio.Queue()
    unsubscribe = source.subscribe(queue.put_nowait, replay=False)
    task = asyncio.ensure_future(run)
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield getter.result()
                continue
            getter.cancel()
            while not queue.empty():
                yield queue.get_nowait()
            task.result()  # re-raise what ended the run, if anything
            return
    finally:
        unsubscribe()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
