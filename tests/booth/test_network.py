"""The address phones open, and when the doctor must warn that phones cannot reach it."""

from __future__ import annotations

import pytest

from tvclient.booth import network
from tvclient.booth.network import check_public_url, is_loopback, phone_address
from tvclient.doctor import Level, check_booth_address


def test_loopback_binds_are_unreachable_for_phones() -> None:
    """127.0.0.1, ::1 and localhost are this machine only."""
    assert phone_address("127.0.0.1", 8300) == ("http://127.0.0.1:8300", False)
    assert phone_address("::1", 8300) == ("http://[::1]:8300", False)
    assert phone_address("localhost", 8400) == ("http://localhost:8400", False)


def test_a_wildcard_bind_advertises_the_lan_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """0.0.0.0 (the default) advertises this machine's address on its default route."""
    monkeypatch.setattr(network, "lan_address", lambda: "192.168.20.7")
    assert phone_address(None) == ("http://192.168.20.7:8300", True)
    wildcard = "0.0.0.0"  # noqa: S104 - the address under test, not a bind
    assert phone_address(wildcard, 9000) == ("http://192.168.20.7:9000", True)
    monkeypatch.setattr(network, "lan_address", lambda: "127.0.0.1")
    assert phone_address(None) == ("http://127.0.0.1:8300", False)  # no network at all


def test_a_public_url_wins_and_is_checked() -> None:
    """The operator's URL is used as given (trailing / dropped); loopback ones are flagged."""
    assert phone_address("127.0.0.1", 8300, "http://booth.local:80/") == (
        "http://booth.local:80", True)
    assert phone_address(None, 8300, "http://127.0.0.1:8300") == ("http://127.0.0.1:8300", False)
    with pytest.raises(ValueError, match="no path"):
        check_public_url("http://booth.local/wallet")
    with pytest.raises(ValueError, match="absolute"):
        check_public_url("booth.local:8300")


def test_is_loopback() -> None:
    """Names and addresses of this machine only."""
    assert is_loopback("127.0.0.5")
    assert is_loopback("[::1]")
    assert not is_loopback("10.0.0.2")
    assert not is_loopback("booth.local")


def test_the_doctor_prints_the_phone_address_and_warns_on_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`tvclient doctor --bind-host ...` says which address phones open, warning if local."""
    [local] = check_booth_address("127.0.0.1")
    assert local.level is Level.WARN
    assert "http://127.0.0.1:8300" in local.detail
    monkeypatch.setattr(network, "lan_address", lambda: "192.168.20.7")
    [lan] = check_booth_address(None)
    assert lan.level is Level.OK
    assert "http://192.168.20.7:8300" in lan.detail
