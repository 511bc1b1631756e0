"""First start writes the data dir a merchant points at; later starts reuse it."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.helpers.clock import FakeClock
from tvclient.antom.keys import read_private_key, read_public_key
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.datadir import read_operator_token
from tvclient.sandbox.errors import DataDirError
from tvclient.sandbox.settings import NotifyUrls, SandboxSettings

EXPECTED_FILES = {
    "client.json",
    "merchant-private-key.pem",
    "merchant-public-key.pem",
    "antom-public-key.pem",
}


def _files(path: Path) -> set[str]:
    return {p.name for p in path.iterdir() if not p.name.startswith("sandbox.sqlite3")}


def test_first_start_writes_client_and_keys(tmp_path: Path) -> None:
    """A new data dir gets client.json and the three key files, with a SANDBOX_ client ID."""
    data = tmp_path / "fresh"
    sandbox = Sandbox(SandboxSettings(data_dir=data, port=8555), clock=FakeClock())
    sandbox.close()
    assert _files(data) == EXPECTED_FILES
    client = json.loads((data / "client.json").read_text())
    assert client["clientId"].startswith("SANDBOX_")
    assert client["clientId"] == sandbox.identity.client_id
    assert client["baseUrl"] == "http://127.0.0.1:8555"
    assert client["apiPrefix"] == "/ams/sandbox/api"
    assert client["merchantId"].startswith("2188")
    assert len(client["merchantId"]) == 16
    assert client["antomPublicKeyFile"] == "antom-public-key.pem"
    assert stat.S_IMODE((data / "merchant-private-key.pem").stat().st_mode) == 0o600


def test_merchant_keys_are_a_pair_and_antom_key_is_the_sandboxs(tmp_path: Path) -> None:
    """The merchant key files are a pair; antom-public-key.pem is the sandbox's key."""
    data = tmp_path / "pair"
    sandbox = Sandbox(SandboxSettings(data_dir=data), clock=FakeClock())
    sandbox.close()
    private = read_private_key(data / "merchant-private-key.pem")
    public = read_public_key(data / "merchant-public-key.pem")
    signature = private.sign(b"x", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"x", padding.PKCS1v15(), hashes.SHA256())
    antom_public = read_public_key(data / "antom-public-key.pem")
    assert antom_public.public_numbers() == sandbox.identity.antom_public_key.public_numbers()


def test_later_start_reuses_everything(data_dir: Path) -> None:
    """A restart keeps the client ID, the keys and the operator token."""
    before = {name: (data_dir / name).read_bytes() for name in EXPECTED_FILES - {"client.json"}}
    client_id = json.loads((data_dir / "client.json").read_text())["clientId"]
    token = read_operator_token(data_dir)
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir, port=9999), clock=FakeClock())
    sandbox.close()
    after = {name: (data_dir / name).read_bytes() for name in before}
    assert after == before
    client = json.loads((data_dir / "client.json").read_text())
    assert client["clientId"] == client_id
    assert client["baseUrl"] == "http://127.0.0.1:9999"
    assert read_operator_token(data_dir) == token


def test_notify_urls_given_at_start_are_stored(data_dir: Path) -> None:
    """Notification URLs given at start become the client's defaults and show in client.json."""
    urls = NotifyUrls(payment="http://merchant.test/pay")
    sandbox = Sandbox(SandboxSettings(data_dir=data_dir, notify_urls=urls), clock=FakeClock())
    sandbox.close()
    client = json.loads((data_dir / "client.json").read_text())
    assert client["notifyUrls"]["payment"] == "http://merchant.test/pay"
    assert client["notifyUrls"]["authorization"] is None


def test_public_url_is_the_wallet_base(tmp_path: Path) -> None:
    """The public base URL (for phones) is the wallet base in client.json."""
    data = tmp_path / "pub"
    settings = SandboxSettings(
        data_dir=data, host="0.0.0.0", public_base_url="http://10.0.0.5:80/"  # noqa: S104
    )
    sandbox = Sandbox(settings, clock=FakeClock())
    sandbox.close()
    client = json.loads((data / "client.json").read_text())
    assert client["walletBaseUrl"] == "http://10.0.0.5:80"
    assert client["baseUrl"].startswith("http://127.0.0.1:")


def test_unusable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    """A data dir path that is a file fails with DataDirError, not a traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    with pytest.raises(DataDirError, match="file"):
        Sandbox(SandboxSettings(data_dir=blocker), clock=FakeClock())


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    """A data dir whose database is not SQLite fails with DataDirError."""
    data = tmp_path / "corrupt"
    data.mkdir()
    (data / "sandbox.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(DataDirError, match="database"):
        Sandbox(SandboxSettings(data_dir=data), clock=FakeClock())


@pytest.mark.parametrize(
    ("field", "value"),
    [("port", 70000), ("time_scale", 0.0), ("public_base_url", "ftp://x"),
     ("operator_token", "short")],
)
def test_bad_settings_are_refused(tmp_path: Path, field: str, value: object) -> None:
    """Settings that cannot work are refused when made."""
    with pytest.raises(ValueError, match="must"):
        SandboxSettings(data_dir=tmp_path, **{field: value})  # type: ignore[arg-type]
