"""The data dir: first-start creation of keys and the merchant client, and `client.json`.

On first start the sandbox does what the Antom dashboard does for a new merchant: it makes its
own ("Antom") key pair and one merchant client with a `SANDBOX_` client ID and a merchant key
pair, and writes what a merchant backend needs next to its database::

    client.json                 clientId, merchantId, base URLs, key file names, notify URLs
    merchant-private-key.pem    the merchant's private key (PKCS#8, mode 0600)
    merchant-public-key.pem     the merchant's public key (as registered with "Antom")
    antom-public-key.pem        the sandbox's public key: verifies responses and notifications
    sandbox.sqlite3             all sandbox state (+ -wal / -shm while running)

Later starts reuse all of it; `client.json` is rewritten each start because the base URLs
follow the bind address and the public base URL.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tvclient.antom.errors import KeyFormatError
from tvclient.antom.keys import (
    KeyForm,
    RSAPrivateKey,
    RSAPublicKey,
    generate_private_key,
    load_private_key,
    load_public_key,
    private_key_text,
    public_key_text,
    write_private_key,
    write_public_key,
)
from tvclient.antom.paths import SANDBOX_CLIENT_PREFIX, SANDBOX_PREFIX
from tvclient.sandbox.errors import DataDirError
from tvclient.sandbox.settings import SandboxSettings
from tvclient.sandbox.store import DATABASE_FILE, Store

__all__ = [
    "ANTOM_PUBLIC_KEY_FILE",
    "CLIENT_FILE",
    "MERCHANT_PRIVATE_KEY_FILE",
    "MERCHANT_PUBLIC_KEY_FILE",
    "OPERATOR_PREFIX",
    "Identity",
    "make_data_dir",
    "open_data_dir",
    "read_operator_token",
]

CLIENT_FILE = "client.json"
MERCHANT_PRIVATE_KEY_FILE = "merchant-private-key.pem"
MERCHANT_PUBLIC_KEY_FILE = "merchant-public-key.pem"
ANTOM_PUBLIC_KEY_FILE = "antom-public-key.pem"
OPERATOR_PREFIX = "/operator/v1"
_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the sandbox is: its signing key and the merchant client made on first start."""

    client_id: str
    merchant_id: str
    antom_private_key: RSAPrivateKey
    antom_public_key: RSAPublicKey
    operator_token: str


def _new_client_id() -> str:
    return SANDBOX_CLIENT_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


def _new_merchant_id() -> str:
    # Antom merchant IDs are 16 digits starting 2188; the reports are filed under it.
    return "2188" + "".join(secrets.choice(string.digits) for _ in range(12))


def _antom_key(store: Store) -> RSAPrivateKey:
    stored = store.get_meta("antom_private_key")
    if stored is not None:
        try:
            return load_private_key(stored)
        except KeyFormatError as exc:
            raise DataDirError(f"the sandbox key in {store.path} is unusable: {exc}") from None
    key = generate_private_key()
    with store.transaction():
        store.set_meta("antom_private_key", private_key_text(key, KeyForm.PEM))
    return key


def _operator_token(store: Store, given: str | None) -> str:
    if given is not None:
        return given
    stored = store.get_meta("operator_token")
    if stored is not None:
        return stored
    token = secrets.token_urlsafe(24)
    with store.transaction():
        store.set_meta("operator_token", token)
    return token


def _first_client(store: Store, data_dir: Path, settings: SandboxSettings, now_ms: int) -> str:
    row = store.one("SELECT client_id FROM clients ORDER BY created_at LIMIT 1")
    if row is not None:
        return str(row["client_id"])
    merchant_key = generate_private_key()
    # The private key file is written before the client exists in the database: a crash in
    # between leaves no client, and the next start makes a fresh pair.
    write_private_key(data_dir / MERCHANT_PRIVATE_KEY_FILE, merchant_key)
    client_id = _new_client_id()
    urls = settings.notify_urls
    with store.transaction():
        store.execute(
            "INSERT INTO clients (client_id, merchant_id, merchant_name, public_key, "
            "auth_notify_url, payment_notify_url, refund_notify_url, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                client_id, _new_merchant_id(), settings.merchant_name,
                public_key_text(merchant_key.public_key()),
                urls.authorization, urls.payment, urls.refund, now_ms,
            ),
        )
    return client_id


def _client_json(settings: SandboxSettings, row: Any) -> dict[str, Any]:
    return {
        "clientId": row["client_id"],
        "merchantId": row["merchant_id"],
        "merchantName": row["merchant_name"],
        "keyVersion": 1,
        "baseUrl": settings.api_base_url,
        "apiPrefix": SANDBOX_PREFIX,
        "walletBaseUrl": settings.wallet_base_url,
        "operatorUrl": settings.api_base_url + OPERATOR_PREFIX,
        "merchantPrivateKeyFile": MERCHANT_PRIVATE_KEY_FILE,
        "merchantPublicKeyFile": MERCHANT_PUBLIC_KEY_FILE,
        "antomPublicKeyFile": ANTOM_PUBLIC_KEY_FILE,
        "notifyUrls": {
            "authorization": row["auth_notify_url"],
            "payment": row["payment_notify_url"],
            "refund": row["refund_notify_url"],
        },
        "reportsDir": f"v1/settlements/{row['merchant_id']}",
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def open_data_dir(settings: SandboxSettings, store: Store, now_ms: int) -> Identity:
    """Create what is missing in the data dir (keys, client, files) and say who the sandbox is.

    `store` must be open on `settings.data_dir`.

    Raises:
        DataDirError: a file cannot be written or a stored key cannot be read.
    """
    data_dir = settings.data_dir
    try:
        antom_key = _antom_key(store)
        client_id = _first_client(store, data_dir, settings, now_ms)
        urls = settings.notify_urls
        if urls.given:
            with store.transaction():
                store.execute(
                    "UPDATE clients SET auth_notify_url = COALESCE(?, auth_notify_url), "
                    "payment_notify_url = COALESCE(?, payment_notify_url), "
                    "refund_notify_url = COALESCE(?, refund_notify_url) WHERE client_id = ?",
                    (urls.authorization, urls.payment, urls.refund, client_id),
                )
        row = store.one("SELECT * FROM clients WHERE client_id = ?", (client_id,))
        assert row is not None  # noqa: S101 - made just above
        write_public_key(data_dir / ANTOM_PUBLIC_KEY_FILE, antom_key.public_key())
        write_public_key(data_dir / MERCHANT_PUBLIC_KEY_FILE, load_public_key(row["public_key"]))
        _write_json(data_dir / CLIENT_FILE, _client_json(settings, row))
        token = _operator_token(store, settings.operator_token)
    except OSError as exc:
        raise DataDirError(f"cannot write to the data dir {data_dir}: {exc.strerror}") from None
    except KeyFormatError as exc:
        raise DataDirError(f"a key stored in {data_dir} is unusable: {exc}") from None
    return Identity(
        client_id=client_id,
        merchant_id=str(row["merchant_id"]),
        antom_private_key=antom_key,
        antom_public_key=antom_key.public_key(),
        operator_token=token,
    )


def make_data_dir(path: Path) -> None:
    """Create the data dir (owner-only) if needed.

    Raises:
        DataDirError: it cannot be created or is not a directory.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create the data dir {path}: {exc.strerror}") from None
    if not path.is_dir():
        raise DataDirError(f"{path} is not a directory")


def read_operator_token(data_dir: Path) -> str:
    """The operator token stored in a data dir (for commands run on the sandbox's machine).

    Raises:
        DataDirError: there is no sandbox database or no token in it.
    """
    from tvclient.sandbox.store import open_read_only

    conn = open_read_only(data_dir / DATABASE_FILE)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'operator_token'").fetchone()
    finally:
        conn.close()
    if row is None:
        raise DataDirError(f"no operator token in {data_dir}; start the sandbox there first")
    return str(row[0])
