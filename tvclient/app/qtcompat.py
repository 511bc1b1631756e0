"""Workarounds for defects of the installed Qt for Python; each is detected, never assumed.

PySide6 6.12.0's `SignalInstance.emit()` returns `True` without taking a reference to it, so
every emit from Python takes one reference away from the `True` singleton; after enough emits
(a TV app emits several a second, for days) Python aborts with "bool_dealloc: deallocating True
or False". PySide6 6.11 does not do this. `emit()` here detects the defect once, with a probe,
and gives the reference back when it is present; on a fixed PySide6 it is a plain emit.
"""

from __future__ import annotations

import ctypes
import functools
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

__all__ = ["emit", "emit_drops_true"]

_PROBES = 16


class _Probe(QObject):
    ping = Signal()


@functools.cache
def emit_drops_true() -> bool:
    """Whether this PySide6 loses a reference to `True` on every emit (measured once)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost < _PROBES // 2:
        return False
    for _ in range(lost):  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return True


def emit(signal: SignalInstance, *args: object) -> None:
    """`signal.emit(*args)`, without PySide 6.12.0's lost reference to `True`."""
    signal.emit(*args)
    if emit_drops_true():
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
