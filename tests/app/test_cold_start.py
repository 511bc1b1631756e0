"""What keeps the cold start short: nothing heavy before the first frame, the core right after.

The figures are in `bench/app_startup.py`; these tests pin the mechanisms it measures, so a
change that quietly brings httpx back onto the start path fails here rather than in a benchmark
nobody ran.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.app.fake_backend import FakeBackend
from tvclient.app.services import AppOptions, AppServices
from tvclient.app.shell import AppShell
from tvclient.coldstart import CollectorPause

# Loaded by the device core on its worker thread once the window is up, never before.
LATE = ("httpx", "httpcore", "h11", "keyring", "secretstorage", "jeepney", "cryptography",
        "babel", "importlib_metadata")

_PROBE = textwrap.dedent(
    """
    import gc, json, sys
    from pathlib import Path
    from tvclient.coldstart import CollectorPause

    startup = CollectorPause()  # as tvclient.cli.main does on its first line
    from PySide6.QtGui import QGuiApplication

    from tvclient import cli
    from tvclient.app.services import AppOptions
    from tvclient.app.shell import AppShell
    from tvclient.device.home_snapshot import SnapshotFile

    app = QGuiApplication(sys.argv[:1])
    services = cli.build_device(
        "http://127.0.0.1:9", demo=False, settings_path=Path(sys.argv[1]) / "settings.json",
        home_snapshot=SnapshotFile(Path(sys.argv[1]) / "home.json"),
    )
    shell = AppShell(AppOptions(fullscreen=False), services, startup=startup)
    loaded = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps({"loaded": loaded, "collector_on": gc.isenabled()}))
    shell.close()
    """
)


def held(pause: CollectorPause) -> bool:
    """Whether `pause` is holding the collector off (and it is off)."""
    return pause.holding and not gc.isenabled()


def test_the_start_path_loads_no_http_keyring_or_formatting(tmp_path: Path) -> None:
    """Wiring the device and building the scene loads none of the libraries the core needs later.

    A fresh interpreter runs what `tvclient --backend URL` runs up to the first frame.
    """
    result = subprocess.run(  # noqa: S603 - our interpreter and our own probe
        [sys.executable, "-c", _PROBE, str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(set(LATE) & set(report["loaded"])) == []
    assert report["collector_on"] is False  # still held: the window is not up yet


def test_the_core_starts_at_the_first_frame_and_the_collector_comes_back(
    qtbot: QtBot, options: AppOptions, services: AppServices, backend: FakeBackend
) -> None:
    """No request before the window has shown a frame; right after it, the core talks."""
    startup = CollectorPause()
    try:
        shell = AppShell(options, services, startup=startup)
        try:
            shell.show()
            assert backend.requests == []
            assert held(startup)
            qtbot.waitUntil(lambda: len(backend.requests) > 0, timeout=3000)
            assert not held(startup)
            assert gc.isenabled()
            qtbot.waitUntil(lambda: shell.model.store_model.rows.rowCount() == 5, timeout=3000)
        finally:
            shell.close()
    finally:
        startup.end()
        gc.unfreeze()  # the suite's own objects go back to being collectable


def test_closing_before_the_first_frame_never_starts_the_core(
    qtbot: QtBot, options: AppOptions, services: AppServices, backend: FakeBackend
) -> None:
    """An app closed at once (a failed start, a quick Ctrl-C) sends nothing afterwards."""
    shell = AppShell(options, services)
    shell.show()
    shell.close()
    qtbot.wait(1200)  # past the at-the-latest start timer
    assert backend.requests == []


def test_the_collector_pause_ends_once_and_respects_a_collector_already_off() -> None:
    """`end()` turns the collector back on once; a pause begun with it off changes nothing."""
    assert gc.isenabled()
    pause = CollectorPause()
    assert held(pause)
    pause.end()
    pause.end()
    assert gc.isenabled()
    assert not held(pause)
    assert gc.get_freeze_count() > 0  # what start-up made is out of the collector's way
    gc.unfreeze()
    gc.disable()
    try:
        already_off = CollectorPause()
        assert not already_off.holding
        already_off.end()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_command_holds_the_collector_only_for_the_device_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`tvclient` holds it until the window is up; the booth and self-test collect as usual."""
    from tvclient import cli
    from tvclient.booth import run as booth_run
    from tvclient.booth import selftest

    seen: dict[str, bool] = {}

    def record(name: str) -> Callable[..., int]:
        def run(*_args: object, **_kwargs: object) -> int:
            seen[name] = gc.isenabled()
            return 0

        return run

    monkeypatch.setattr(cli, "run_device", record("device"))
    monkeypatch.setattr(booth_run, "run_booth", record("booth"))
    monkeypatch.setattr(selftest, "run_self_test", record("self-test"))
    assert cli.main([]) == 0
    assert gc.isenabled()  # ended on the way out, whatever happened in between
    assert cli.main(["--booth"]) == 0
    assert cli.main(["--self-test"]) == 0
    assert seen == {"device": False, "booth": True, "self-test": True}
    gc.unfreeze()
