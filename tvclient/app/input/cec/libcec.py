"""libCEC through its Python bindings (Debian's `python3-cec`), loaded only if present (no Qt).

Licence: libCEC is GPL-2.0-or-later (or commercial from Pulse-Eight). tvclient never bundles it,
never depends on it and never imports it at module level: `LibCecSource` imports the `cec`
module at run time, only when the operator has installed it on the device and `input.cec`
allows it. See docs/input.md, "HDMI-CEC and the GPL".

libCEC calls back from its own threads and opening an adapter scans the bus for seconds, so
all of that happens off the UI thread: a worker thread opens the adapter, then pings it every
10 s to notice when it goes away; key callbacks go through a thread-safe queue that `read()`
drains on the UI thread.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from tvclient.app.input.cec.sources import CecKey, CecLostError, KeyState, key_from_cec

__all__ = ["LibCecSource"]

_log = logging.getLogger(__name__)


def _import_cec() -> ModuleType:
    return importlib.import_module("cec")


class LibCecSource:
    """A Pulse-Eight (or other libCEC-supported) adapter through python3-cec."""

    def __init__(
        self, *, device_name: str = "tvclient", ping_seconds: float = 10.0,
        loader: Callable[[], ModuleType] = _import_cec,
    ) -> None:
        self._device_name = device_name
        self._ping_seconds = ping_seconds
        self._loader = loader
        self._module: Any = None
        self._missing: str | None = None
        self._keys: queue.SimpleQueue[CecKey] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._adapter: str | None = None
        self._lost: str | None = None
        self._collected = False
        self._lib: Any = None

    @property
    def name(self) -> str:
        """Source name."""
        return "libcec"

    @property
    def connecting(self) -> bool:
        """An attempt runs (or ended) in the background and `open()` has not collected it yet."""
        with self._lock:
            return self._worker is not None and not self._collected

    def unavailable(self) -> str | None:
        """Why libCEC cannot be used: the bindings are not installed."""
        if self._module is None and self._missing is None:
            try:
                self._module = self._loader()
            except ImportError as exc:
                self._missing = f"python3-cec (libCEC) is not installed ({exc})"
        return self._missing

    def open(self) -> str | None:
        """Start opening in the background; the adapter's port once it is open."""
        if self.unavailable() is not None:
            return None
        with self._lock:
            if self._worker is not None:
                if self._adapter is None and self._lost is None:
                    return None  # still scanning or opening
                if not self._collected:
                    self._collected = True  # the link sees this outcome exactly once
                    return self._adapter if self._lost is None else None
                if self._lost is None:
                    return self._adapter
            # Never started, or the last attempt failed: try (again).
            self._reset_locked()
            self._worker = threading.Thread(
                target=self._run, name="tvclient-libcec", daemon=True
            )
            self._worker.start()
        return None

    def read(self) -> list[CecKey]:
        """Keys the callbacks queued."""
        with self._lock:
            lost = self._lost
        if lost is not None:
            self.close()
            raise CecLostError(lost)
        keys: list[CecKey] = []
        while True:
            try:
                keys.append(self._keys.get_nowait())
            except queue.Empty:
                return keys

    def close(self) -> None:
        """Stop the worker and close the adapter."""
        self._stop.set()
        worker = self._worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=5)
        with self._lock:
            self._reset_locked()
        lib, self._lib = self._lib, None
        if lib is not None:
            _call(lib, "Close")

    def detect_adapters(self) -> list[str]:
        """The ports of the CEC adapters libCEC finds (blocks for the scan; doctor only)."""
        if self.unavailable() is not None:
            return []
        cec = self._module
        try:
            config = cec.libcec_configuration()
            config.strDeviceName = self._device_name
            config.clientVersion = cec.LIBCEC_VERSION_CURRENT
            lib = cec.ICECAdapter.Create(config)
            return [str(adapter.strComName) for adapter in lib.DetectAdapters() or []]
        except Exception:  # noqa: BLE001 — a foreign library: report nothing found, never crash
            return []

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        cec = self._module
        try:
            config = cec.libcec_configuration()
            config.strDeviceName = self._device_name
            config.bActivateSource = 0  # never switch the TV's input to us
            config.deviceTypes.Add(cec.CEC_DEVICE_TYPE_RECORDING_DEVICE)
            config.clientVersion = cec.LIBCEC_VERSION_CURRENT
            config.SetKeyPressCallback(self._on_key)
            lib = cec.ICECAdapter.Create(config)
            adapters = list(lib.DetectAdapters() or [])
            if not adapters:
                self._finish(None, "no CEC adapter found")
                return
            port = str(adapters[0].strComName)
            if not lib.Open(port):
                self._finish(None, f"could not open the CEC adapter on {port}")
                return
        except Exception as exc:  # noqa: BLE001 — a foreign library on a thread: report, never crash
            self._finish(None, f"libCEC failed: {exc}")
            return
        self._lib = lib
        self._finish(port, None)
        while not self._stop.wait(self._ping_seconds):
            if not _call(lib, "PingAdapter"):
                with self._lock:
                    self._lost = f"adapter on {port} stopped answering"
                return

    def _reset_locked(self) -> None:
        self._stop.clear()
        self._worker = None
        self._adapter = None
        self._lost = None
        self._collected = False

    def _finish(self, adapter: str | None, failure: str | None) -> None:
        with self._lock:
            self._adapter = adapter
            self._lost = failure
        if failure is not None:
            _log.debug("libCEC: %s", failure)

    def _on_key(self, key: int, duration: int) -> int:
        # libCEC reports a press with duration 0 and the release with how long it was held.
        self._keys.put(key_from_cec(int(key), KeyState.UP if duration else KeyState.DOWN))
        return 0


def _call(lib: Any, method: str) -> bool:
    try:
        return bool(getattr(lib, method)())
    except Exception:  # noqa: BLE001 — a failing foreign call means "not working", nothing more
        return False
