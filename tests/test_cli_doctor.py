"""The `tvclient` command line and `tvclient doctor`."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import keyring
import pytest
from keyring.backends import fail

from tvclient import cli, doctor
from tvclient.doctor import Finding, Level


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "tvclient.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env or dict(os.environ),
    )


def test_version_and_help() -> None:
    """`--version` names the version; `--help` lists the documented options and subcommands."""
    version = _run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("tvclient ")
    usage = _run("--help").stdout
    for option in ("--backend", "--booth", "--windowed", "--self-test", "merchant", "sandbox"):
        assert option in usage


def test_subcommands_reach_their_parts() -> None:
    """`tvclient merchant` and `tvclient sandbox` are dispatched to the backend and the sandbox."""
    assert "reconcile" in _run("merchant", "--help").stdout
    assert "approve" in _run("sandbox", "--help").stdout


def test_unknown_option_is_refused() -> None:
    """A mistyped option stops with a usage message instead of starting anything."""
    result = _run("--bakend", "http://x")
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_no_display_is_a_failure_with_a_fix() -> None:
    """Without any display the doctor predicts Qt's abort and says what to do."""
    findings = doctor.check_display({})
    assert findings[0].level is Level.FAIL
    assert "Xvfb" in findings[0].fix


def test_offscreen_display_is_checked_for_real() -> None:
    """With a platform chosen, the doctor starts Qt in a child process and reports it."""
    findings = doctor.check_display({**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert findings == [Finding(Level.OK, "display", "Qt platform offscreen")]


def test_broken_platform_is_reported_not_fatal() -> None:
    """A platform Qt cannot load makes a FAIL line with the packages to install."""
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":999"}
    env.pop("WAYLAND_DISPLAY", None)
    findings = doctor.check_display(env)
    assert findings[0].level is Level.FAIL
    assert "libxcb" in findings[0].fix


def test_fonts_missing_cjk_is_a_failure() -> None:
    """Without a Traditional Chinese font the doctor says zh-HK would show boxes."""
    findings = doctor.check_fonts(lambda args: "DejaVu Sans\n" if args[0] == ":lang=en" else "")
    assert [f.level for f in findings] == [Level.OK, Level.FAIL]
    assert "fonts-noto-cjk" in findings[1].fix


def test_real_fonts_on_this_machine() -> None:
    """The machine the suite runs on has Latin and CJK fonts (scripts/setup installs them)."""
    assert [f.level for f in doctor.check_fonts()] == [Level.OK, Level.OK]


def test_no_keyring_is_a_failure_with_a_fix() -> None:
    """With no keyring the device cannot keep its credential: the doctor says how to fix it."""
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    findings = doctor.check_keyring()
    assert findings[0].level is Level.FAIL
    assert "gnome-keyring" in findings[0].fix


def test_unreachable_backend() -> None:
    """A backend nobody answers on is a failure naming the URL."""
    findings = doctor.check_backend("http://127.0.0.1:9", timeout=2)
    assert findings[0].level is Level.FAIL
    assert "127.0.0.1:9" in findings[0].detail


def test_no_backend_means_the_demo() -> None:
    """With no backend configured, the doctor notes the demo stack will be used."""
    assert doctor.check_backend(None)[0].level is Level.NOTE


def test_input_devices_are_listed() -> None:
    """The doctor lists what the input layer sees (keyboard at least) as notes."""
    from pathlib import Path

    findings = doctor.check_input(Path("/nonexistent"))
    assert findings
    assert all(f.level is Level.NOTE for f in findings)
    assert any("keyboard" in f.detail.lower() for f in findings)


def test_doctor_exit_code_follows_failures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 when something must be fixed, and every finding printed."""
    bad = Finding(Level.FAIL, "keyring", "missing", "install it")
    monkeypatch.setattr(doctor, "collect", lambda _args, _env: iter([bad]))
    assert doctor.run([]) == 1
    assert "fix: install it" in capsys.readouterr().out
    ok = Finding(Level.OK, "display", "fine")
    monkeypatch.setattr(doctor, "collect", lambda _args, _env: iter([ok]))
    assert doctor.run([]) == 0


def test_parser_defaults() -> None:
    """With no options the app runs fullscreen on the demo stack."""
    options = cli.build_parser().parse_args([])
    assert isinstance(options, argparse.Namespace)
    assert options.backend is None
    assert not options.windowed
    assert not options.booth


def test_booth_address_follows_the_booth_options() -> None:
    """The doctor checks the address the booth would advertise, with the booth's own options."""
    findings = doctor.check_booth_address(None, 8400, "http://booth.example:8400")
    assert [(f.level, f.detail) for f in findings] == [
        (Level.OK, "phones will open the wallet page at http://booth.example:8400")
    ]
    loopback = doctor.check_booth_address("127.0.0.1", 8400)
    assert loopback[0].level is Level.WARN
    assert "127.0.0.1:8400" in loopback[0].detail
    broken = doctor.check_booth_address(None, None, "booth.example")
    assert broken[0].level is Level.FAIL


def test_doctor_accepts_the_booth_options() -> None:
    """`tvclient doctor --public-url ... --wallet-port ...` runs and reports that address."""
    done = subprocess.run(
        [sys.executable, "-m", "tvclient", "doctor", "--wallet-port", "8400",
         "--public-url", "http://booth.example:8400"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert "http://booth.example:8400" in done.stdout, done.stdout + done.stderr


def test_a_mistyped_backend_url_is_a_usage_error() -> None:
    """`--backend not-a-url` says what a backend URL looks like and exits 2, without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "tvclient", "--backend", "not-a-url"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 2
    assert "backend URL must be http(s)://host[:port][/path]" in done.stderr
    assert "Traceback" not in done.stderr
