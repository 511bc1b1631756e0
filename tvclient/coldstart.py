"""The app's start without garbage-collector passes: `CollectorPause`.

Starting the device app makes a few hundred thousand Python objects (module code, classes,
dataclasses, Qt wrappers) and nearly all of them live as long as the process. Python's cyclic
collector is triggered by allocation counts, so while they are being made it walks the growing
heap again and again and finds nothing to free: about 45 ms of a ~380 ms cold start on the
reference machine (`bench/app_startup.py`). The app therefore holds the collector off from the
first line of `tvclient` until its first frame is on screen, then moves everything made so far
into the permanent generation (`gc.freeze()`, never walked again: later passes cost less too)
and turns the collector back on. Reference counting frees memory as usual in between.
"""

from __future__ import annotations

import gc

__all__ = ["CollectorPause"]


class CollectorPause:
    """Holds Python's cyclic collector off from construction until `end()`.

    `end()` is safe to call more than once and from any exit path; when the collector was
    already off (a caller's choice), it is left as it was and nothing is frozen.
    """

    def __init__(self) -> None:
        self._holding = gc.isenabled()
        if self._holding:
            gc.disable()

    @property
    def holding(self) -> bool:
        """Whether the collector is still held off by this pause."""
        return self._holding

    def end(self) -> None:
        """Freeze what start-up made and turn the collector back on (once)."""
        if not self._holding:
            return
        self._holding = False
        gc.freeze()
        gc.enable()
