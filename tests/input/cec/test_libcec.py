"""libCEC through python3-cec, loaded at run time only; exercised with a stand-in module."""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable
from typing import Any

from tvclient.app.input.actions import Action, Phase
from tvclient.app.input.cec.libcec import LibCecSource
from tvclient.app.input.cec.link import CecLink


class FakeAdapterInfo:
    strComName = "/dev/ttyACM0"


class FakeLib:
    def __init__(self, config: object, state: dict[str, Any]) -> None:
        self.config = config
        self.state = state

    def DetectAdapters(self):
        return [FakeAdapterInfo()] if self.state["plugged"] else []

    def Open(self, port):
        self.state["opened"] = port
        return True

    def PingAdapter(self):
        return self.state["plugged"]

    def Close(self):
        self.state["closed"] += 1


def fake_cec_module(state: dict[str, Any]) -> types.ModuleType:
    """A stand-in for python3-cec's `cec` module with the calls tvclient makes."""
    module = types.ModuleType("cec")

    class Config:
        def __init__(self) -> None:
            self.deviceTypes = types.SimpleNamespace(Add=lambda _type: None)

        def SetKeyPressCallback(self, callback: Any) -> None:
            state["callback"] = callback

    attributes: dict[str, Any] = {
        "libcec_configuration": Config,
        "CEC_DEVICE_TYPE_RECORDING_DEVICE": 1,
        "LIBCEC_VERSION_CURRENT": 0x060000,
        "ICECAdapter": types.SimpleNamespace(Create=lambda config: FakeLib(config, state)),
    }
    for name, value in attributes.items():
        setattr(module, name, value)
    return module


def wait_for(predicate: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait for the libCEC worker thread (real threads, so a short real wait)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_missing_bindings_are_a_notice_not_an_error():
    """Without python3-cec the source is unavailable with a readable reason."""

    def missing() -> types.ModuleType:
        raise ImportError("No module named 'cec'")

    source = LibCecSource(loader=missing)
    assert "python3-cec" in (source.unavailable() or "")
    assert source.open() is None


def test_opens_in_the_background_and_delivers_keys():
    """open() never blocks; keys from libCEC's callback thread arrive through read()."""
    state: dict[str, Any] = {"plugged": True, "closed": 0}
    source = LibCecSource(loader=lambda: fake_cec_module(state), ping_seconds=0.01)
    link = CecLink([source])
    link.tick(0.0)
    assert source.connecting  # the scan runs in the background; tick() did not wait
    wait_for(lambda: link.tick(0.1) == [] and link.adapter is not None)
    assert link.adapter == "/dev/ttyACM0"
    callback: Callable[[int, int], int] = state["callback"]
    thread = threading.Thread(target=lambda: (callback(0x00, 0), callback(0x00, 120)))
    thread.start()
    thread.join()
    events = link.tick(0.2)
    assert [(e.action, e.phase) for e in events] == [
        (Action.OK, Phase.PRESS), (Action.OK, Phase.RELEASE)
    ]
    state["plugged"] = False  # the ping notices the adapter is gone
    wait_for(lambda: link.tick(0.3) == [] and link.adapter is None)
    assert state["closed"] == 1
    link.close()


def test_no_adapter_retries_later():
    """No adapter found: the source reports none and tries again on the next attempt."""
    state: dict[str, Any] = {"plugged": False, "closed": 0}
    source = LibCecSource(loader=lambda: fake_cec_module(state), ping_seconds=0.01)
    assert source.open() is None
    assert source.connecting
    wait_for(lambda: source.open() is None and not source.connecting)  # failure collected
    state["plugged"] = True
    wait_for(lambda: source.open() == "/dev/ttyACM0")
    assert source.detect_adapters() == ["/dev/ttyACM0"]
    source.close()
