"""The booth's command line: what it accepts, what it refuses, and what it derives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tvclient.booth import network
from tvclient.booth.config import BoothConfig
from tvclient.booth.errors import BoothConfigError
from tvclient.cli import build_parser


def _config(*args: str, environ: dict[str, str] | None = None) -> BoothConfig:
    return BoothConfig.from_options(build_parser().parse_args(["--booth", *args]), environ or {})


def test_defaults_serve_phones_on_the_lan(monkeypatch: pytest.MonkeyPatch) -> None:
    """No options: every address, port 8300, the LAN address advertised, 90 s, fullscreen."""
    monkeypatch.setattr(network, "lan_address", lambda: "10.1.2.3")
    config = _config()
    assert config.embedded
    wildcard = "0.0.0.0"  # noqa: S104 - the expected default, not a bind
    assert (config.bind_host, config.wallet_port, config.backend_port) == (wildcard, 8300, 8301)
    assert (config.public_url, config.phones_can_reach) == ("http://10.1.2.3:8300", True)
    assert config.reset_after is None  # the staff's choice, else 90 s
    assert config.fullscreen


def test_every_option_is_taken(tmp_path: Path) -> None:
    """Bind host, ports, public URL, timeout, language, PIN file, window, data dir."""
    config = _config(
        "--bind-host", "127.0.0.1", "--wallet-port", "9000", "--backend-port", "9001",
        "--public-url", "https://booth.example:8443/", "--reset-after", "45", "--language",
        "id", "--staff-pin-file", str(tmp_path / "pin"), "--windowed", "--data-dir",
        str(tmp_path),
    )
    assert config.public_url == "https://booth.example:8443"
    assert config.phones_can_reach
    assert (config.wallet_port, config.backend_port, config.reset_after) == (9000, 9001, 45.0)
    assert (config.language, config.staff_pin_file) == ("id", tmp_path / "pin")
    assert not config.fullscreen
    assert config.data_dir == tmp_path


def test_a_real_backend_needs_the_explicit_flag() -> None:
    """--backend alone is refused; with --allow-real-backend the booth uses it."""
    with pytest.raises(BoothConfigError, match="never charge real money"):
        _config("--backend", "https://shop.example")
    config = _config("--backend", "https://shop.example", "--allow-real-backend")
    assert not config.embedded
    assert config.backend == "https://shop.example"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reset-after", "9"], "10 to 3600 seconds"),
        (["--wallet-port", "70000"], "--wallet-port"),
        (["--wallet-port", "8400", "--backend-port", "8400"], "must differ"),
        (["--public-url", "ftp://booth"], "--public-url"),
        (["--public-url", "http://booth.local/wallet"], "no path"),
    ],
)
def test_bad_values_are_refused_with_the_option_named(args: list[str], message: str) -> None:
    """Each bad value stops the booth with a message naming what is wrong."""
    with pytest.raises(BoothConfigError, match=message):
        _config(*args)


def test_the_staff_pin_comes_from_systemd_credentials(tmp_path: Path) -> None:
    """Without --staff-pin-file, $CREDENTIALS_DIRECTORY/staff-pin is used when present."""
    assert _config(environ={"CREDENTIALS_DIRECTORY": str(tmp_path)}).staff_pin_file is None
    (tmp_path / "staff-pin").write_text("1234")
    config = _config(environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert config.staff_pin_file == tmp_path / "staff-pin"
