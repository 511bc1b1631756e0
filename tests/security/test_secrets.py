"""No secret issued during a full run appears in any log line or file; the keyring holds two.

Threat: secrets leak through the side doors: a DEBUG log, an error message quoting a request,
a ledger column, a settings file, an admin listing, a report file. Then whoever reads the log
or the backup can debit a buyer (Antom tokens), act as a TV (device credential), sign as the
merchant (private key), or pay without the owner (PIN).

The test runs the whole thing for real, everything at DEBUG: `tvclient sandbox serve` and
`tvclient merchant serve` processes, the device core in this process over HTTP, a purchase
PIN, binding, purchases (one with an unknown outcome, a duplicated notification), an operator
refund and a reconciliation from the command line, an unlink in the wallet (TOKEN_CANCELED
carries the access token), a bind again and an unbind (revoke carries it too), and hostile
notifications that quote a real token. Then it collects every secret the run actually issued
(access and refresh tokens and auth codes from the sandbox's database, the device credential,
the merchant's and the sandbox's private keys, the operator, admin and enrolment tokens, the
PIN) and searches every log line (both servers, the commands, this process) and every file
the run wrote, and every answer the device got.

What may hold what (the only exceptions): the sandbox's own database is Antom's side and holds
its tokens and keys; `merchant-private-key.pem` is the merchant key file itself (mode 0600);
the ledger keeps a bind session's authCode (single use, dead after 60 s, worthless without the
merchant's private key) so a restarted backend can finish the exchange.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.services import ProcessRunner, free_port
from tests.reliability.stacks import wired_stack
from tests.security.devices import tv
from tvclient.antom.signing import request_headers
from tvclient.clock import SystemClock
from tvclient.device.account import AccountService, DeviceInfo
from tvclient.device.bind import BindPhase, BindSnapshot
from tvclient.device.client import MerchantClient
from tvclient.device.intents import IntentStore
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.purchase import PurchasePhase
from tvclient.device.safety.errors import WrongPinError
from tvclient.device.safety.pin import PinGuard
from tvclient.device.safety.settings import SafetySettings
from tvclient.device.settings import SettingsStore
from tvclient.device.vault import BINDING, CREDENTIAL, BindingVault
from tvclient.money import Money, Wallet

PIN = "73915046"
OPERATOR = "operator-secret-5b1f0e9c2d7a4"
ADMIN = "admin-secret-8e2c6a1f9b3d7"
ENROL = "enrolment-secret-4d9a7c2e1f6b"


def _pem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) >= 40 and "-----" not in line]


def _issued(sandbox_dir: Path, keyring: MemoryKeyring) -> dict[str, str]:
    """Secret value -> what it is, for everything the run issued."""
    found: dict[str, str] = {}
    conn = sqlite3.connect(f"file:{sandbox_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        for label, query in (("access token", "SELECT access_token FROM access_tokens"),
                             ("refresh token", "SELECT refresh_token FROM bindings"),
                             ("auth code", "SELECT auth_code FROM auth_codes")):
            for (value,) in conn.execute(query):
                found[str(value)] = label
        (antom_key,) = conn.execute(
            "SELECT value FROM meta WHERE key = 'antom_private_key'"
        ).fetchone()
    finally:
        conn.close()
    for line in _pem_lines(str(antom_key)):
        found[line] = "the sandbox's (Antom's) private key"
    for line in _pem_lines((sandbox_dir / "merchant-private-key.pem").read_text()):
        found[line] = "the merchant private key"
    for (_, name), value in keyring.items.items():
        if name == CREDENTIAL:
            found[value] = "device credential"
    found.update({OPERATOR: "operator token", ADMIN: "admin token", ENROL: "enrolment token"})
    return found


def _hits(name: str, text: str, secrets: dict[str, str]) -> list[str]:
    hits = [f"{name}: {label}" for value, label in secrets.items() if value in text]
    if re.search(rf"(?<!\d){PIN}(?!\d)", text):
        hits.append(f"{name}: the PIN")
    return hits


def _allowed(path: Path, sandbox_dir: Path, label: str) -> bool:
    if path.is_relative_to(sandbox_dir) and path.name.startswith("sandbox.sqlite3"):
        return True  # Antom's own database
    if path.name == "merchant-private-key.pem":
        return label == "the merchant private key"
    return path.name.startswith("merchant.db") and label == "auth code"


async def _device_flow(tv_: AccountService, operator: httpx.AsyncClient, sandbox_url: str,
                       *, again: bool) -> None:
    flow = tv_.bind_flow(tick=None)
    shown: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def seen(snapshot: BindSnapshot) -> None:
        if snapshot.phase is BindPhase.SHOWING_QR and snapshot.qr_text and not shown.done():
            shown.set_result(snapshot.qr_text)

    flow.subscribe(seen)
    task = asyncio.ensure_future(flow.run(Wallet.ALIPAY_HK))
    qr = await asyncio.wait_for(shown, 30)
    approved = await operator.post(f"{sandbox_url}/wallet/api/approve", json={"codeValue": qr})
    assert approved.status_code == 200, approved.text
    assert (await asyncio.wait_for(task, 60)).phase is BindPhase.BOUND
    if again:
        return
    assert (await tv_.pay("movie-night", "Movie night", Money(3800, "HKD"))).phase is (
        PurchasePhase.SUCCEEDED)


async def test_no_secret_in_any_log_answer_or_file_of_a_full_run(
    process_runner: ProcessRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    expect_log: None,
) -> None:
    """Every secret the run issued is absent from every log, answer and file (DEBUG logs)."""
    caplog.set_level(logging.DEBUG)
    sandbox_dir, db = tmp_path / "sandbox", tmp_path / "merchant.db"
    sandbox_port, port = free_port(), free_port()
    sandbox_url, url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{port}"
    process_runner.start(
        [sys.executable, "-m", "tvclient.sandbox", "serve", "--port", str(sandbox_port),
         "--data", str(sandbox_dir), "--operator-token", OPERATOR, "--log-level", "debug"],
        ready_url=f"{sandbox_url}/healthz", name="sandbox",
    )
    merchant_args = ["--sandbox-dir", str(sandbox_dir), "--database", f"sqlite:///{db}",
                     "--admin-token", ADMIN, "--log-level", "DEBUG"]
    process_runner.start(
        [sys.executable, "-m", "tvclient.merchant", "serve", *merchant_args, "--port", str(port),
         "--enrolment-token", ENROL, "--purchase-sync-wait", "1"],
        ready_url=f"{url}/readyz", name="merchant",
    )
    answers: list[str] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        if response.request.url.path != "/v1/devices":  # the credential is shown there, once
            answers.append(response.text)

    keyring = MemoryKeyring()
    settings = SettingsStore(tmp_path / "tv" / "settings.json")
    clock = SystemClock()
    pins = PinGuard(settings, clock, SafetySettings())
    pins.set_pin(PIN)
    with pytest.raises(WrongPinError):
        pins.verify("00000000")
    pins.verify(PIN)
    operator = httpx.AsyncClient(trust_env=False, timeout=30,
                                 headers={"Authorization": f"Bearer {OPERATOR}"})
    admin = {"Authorization": f"Bearer {ADMIN}"}
    async with httpx.AsyncClient(trust_env=False, timeout=60,
                                 event_hooks={"response": [keep]}) as http:
        account = AccountService(
            MerchantClient(http, url), BindingVault(url, keyring_backend=keyring),
            IntentStore(settings), clock,
            DeviceInfo("Secret TV", "linux-x86_64", "0.1.0", enrolment_token=ENROL),
        )
        await account.start()
        await _device_flow(account, operator, sandbox_url, again=False)
        await operator.post(f"{sandbox_url}/operator/v1/faults",
                            json={"target": "pay", "kind": "unknown", "seconds": 3})
        await operator.post(f"{sandbox_url}/operator/v1/faults",
                            json={"target": "notifyPayment", "kind": "duplicate"})
        unknown = await account.pay("game-coins", "Game coins", Money(1500, "HKD"))
        assert unknown.phase is PurchasePhase.SUCCEEDED
        assert unknown.purchase is not None
        refund = await asyncio.to_thread(
            _command, [sys.executable, "-m", "tvclient.merchant", "refund", unknown.purchase.id,
             "--amount", "5.00", *merchant_args],
        )
        assert refund.returncode == 0, refund.stderr
        # The buyer unlinks in the wallet: TOKEN_CANCELED carries the access token.
        bindings = (await operator.get(f"{sandbox_url}/operator/v1/bindings")).json()
        active = next(b for b in bindings["bindings"] if b["status"] == "ACTIVE")
        await operator.post(f"{sandbox_url}/operator/v1/bindings/{active['bindingId']}/unlink")
        for _ in range(100):  # TOKEN_CANCELED reaches the backend, then the TV notices
            if not (await account.binding()).bound:
                break
            await asyncio.sleep(0.2)
        assert not (await account.binding()).bound
        await _device_flow(account, operator, sandbox_url, again=True)
        await account.unbind()  # revoke carries the access token too
        async with httpx.AsyncClient(trust_env=False) as raw:
            for listing in ("/admin/v1/bindings", "/admin/v1/purchases"):
                answers.append((await raw.get(url + listing, headers=admin)).text)
        # Hostile notifications that quote a real token: refused, and the token not logged.
        token = _issued(sandbox_dir, keyring)
        real = next(value for value, label in token.items() if label == "access token")
        await _hostile_notifications(url, sandbox_dir, real)
    reports = await operator.post(f"{sandbox_url}/operator/v1/reports",
                                  json={"date": _gmt8_today()})
    assert reports.status_code == 200
    await operator.aclose()
    reconcile = await asyncio.to_thread(
        _command, [sys.executable, "-m", "tvclient.merchant", "reconcile",
                   str(sandbox_dir / "v1"), *merchant_args],
    )
    assert reconcile.returncode == 0, reconcile.stdout + reconcile.stderr
    process_runner.stop_all()

    secrets = _issued(sandbox_dir, keyring)
    labels = list(secrets.values())
    assert labels.count("access token") >= 2
    assert labels.count("refresh token") >= 2
    assert labels.count("auth code") >= 2
    assert "device credential" in labels
    texts = {"this process (DEBUG)": "\n".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records)}
    texts["device answers"] = "\n".join(answers)
    texts["merchant refund command"] = refund.stdout + refund.stderr
    texts["merchant reconcile command"] = reconcile.stdout + reconcile.stderr
    hits = [hit for name, text in texts.items() for hit in _hits(name, text, secrets)]
    file_hits, logs = await asyncio.to_thread(_scan_files, tmp_path, sandbox_dir, secrets)
    assert hits + file_hits == [], hits + file_hits
    # The scan saw the real thing: DEBUG lines from both servers and the device core.
    assert any("DEBUG" in text and "antom pay" in text for text in logs.values()), logs.keys()
    assert any(" DEBUG " in text or "DEBUG" in text for name, text in logs.items()
               if name.startswith("sandbox"))
    assert any(r.levelno == logging.DEBUG and r.name.startswith("tvclient.device")
               for r in caplog.records) or any(r.levelno == logging.DEBUG for r in caplog.records)
    for private in (sandbox_dir / "merchant-private-key.pem", tmp_path / "tv" / "settings.json"):
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o600, private


def _command(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our interpreter, our module
        args, capture_output=True, text=True, timeout=60, check=False
    )


def _scan_files(
    root: Path, sandbox_dir: Path, secrets: dict[str, str]
) -> tuple[list[str], dict[str, str]]:
    """Secrets found in every file under `root` (bar the allowed ones), and the process logs."""
    hits: list[str] = []
    logs: dict[str, str] = {}
    for path in (p for p in root.rglob("*") if p.is_file()):
        content = path.read_bytes().decode("utf-8", "replace")
        if path.parent.name == "process-logs":
            logs[path.name] = content
        hits += [hit for hit in _hits(str(path.relative_to(root)), content, secrets)
                 if not _allowed(path, sandbox_dir, hit.split(": ", 1)[1])]
    return hits, logs


def _gmt8_today() -> str:
    import datetime as dt

    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date().isoformat()


async def _hostile_notifications(url: str, sandbox_dir: Path, token: str) -> None:
    """TOKEN_CANCELED naming a real token: unsigned, and Antom-signed but malformed."""
    from tvclient.antom.keys import read_private_key

    conn = sqlite3.connect(f"file:{sandbox_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        (pem,) = conn.execute("SELECT value FROM meta WHERE key = 'antom_private_key'").fetchone()
    finally:
        conn.close()
    key_file = sandbox_dir.parent / "antom-key-for-the-test.pem"
    key_file.write_text(str(pem))
    key_file.chmod(0o600)
    antom_key = read_private_key(key_file)
    key_file.unlink()
    client_id = json.loads((sandbox_dir / "client.json").read_text())["clientId"]
    path = "/antom/notify/authorization"
    bodies = [
        {"authorizationNotifyType": "TOKEN_CANCELED", "accessToken": token,
         "result": {"resultCode": "SUCCESS", "resultStatus": "S"}},
        {"authorizationNotifyType": "TOKEN_CANCELED", "accessToken": token * 3,
         "reason": 5, "result": "broken"},
    ]
    async with httpx.AsyncClient(trust_env=False) as http:
        for body in bodies:
            raw = json.dumps(body).encode()
            signed: dict[str, Any] = request_headers(
                antom_key, method="POST", path=path, client_id=client_id,
                time="1772424000000", body=raw)
            for headers in ({"content-type": "application/json"},
                            {**signed, "content-type": "application/json"}):
                answer = await http.post(url + path, content=raw, headers=headers)
                assert answer.status_code < 500, answer.text


async def test_the_keyring_holds_the_credential_and_the_binding_reference_only(
    secret_service: Any, tmp_path: Path
) -> None:
    """Real gnome-keyring: exactly two items, the credential and the binding ref, nothing else."""
    import secretstorage

    async with wired_stack(tmp_path) as stack:
        device = tv(stack, secret_service.backend(), tmp_path / "settings.json")
        await device.account.start()
        bound = await device.bind()
        assert (await device.pay()).phase is PurchasePhase.SUCCEEDED
        assert bound.binding is not None

        connection = secretstorage.dbus_init()
        try:
            items = [
                (item.get_attributes(), item.get_secret().decode())
                for collection in secretstorage.get_all_collections(connection)
                for item in collection.get_all_items()
            ]
        finally:
            connection.close()
        names = sorted(attributes.get("username", "") for attributes, _ in items)
        assert names == sorted([CREDENTIAL, BINDING]), items
        assert {attributes.get("service") for attributes, _ in items} == {device.vault.service}
        values = {attributes["username"]: secret for attributes, secret in items}
        assert values[BINDING] == bound.binding.ref
        assert values[CREDENTIAL] == device.vault.credential()
        assert values[CREDENTIAL].startswith("tvd_")
        tokens = _antom_tokens(tmp_path / "sandbox")
        assert tokens
        assert not tokens & set(values.values())
        settings_text = (tmp_path / "settings.json").read_text()
        assert bound.binding.ref not in settings_text
        assert values[CREDENTIAL] not in settings_text
        await device.http.aclose()


def _antom_tokens(sandbox_dir: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{sandbox_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return {str(v) for (v,) in conn.execute(
            "SELECT access_token FROM access_tokens UNION SELECT refresh_token FROM bindings")}
    finally:
        conn.close()
