"""OK on Pay to the receipt on screen, and a bind showing on screen, on a loopback stack.

Real processes: `sandbox serve` + `merchant serve` (SQLite) on 127.0.0.1, and the app with the
real device core in this process (offscreen, software renderer).

- purchase: from the OK press on Pay to the first frame of the Receipt screen. Baseline in the
  same run: the same purchase made directly on the device API (POST, then long-poll GET until
  final), i.e. what the backend and sandbox take without the app.
- bind: from the moment the backend knows the session is BOUND (a second client long-polls the
  same session with the device's credential) to the first frame of the Bound screen.

Goals (issue 4): purchase p95 under 300 ms; bind p95 under 300 ms.
Usage: `python bench/app_purchase.py [-n 20] [--binds 10]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from app_common import loopback_shell, loopback_stack, percentile, summary, wait, wait_until
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

from tvclient.app.shell import AppShell
from tvclient.sandbox.remote import approve

GOAL_P95_MS = 300.0
CREDENTIAL = "credential"


def press_ok(shell: AppShell) -> None:
    """OK down and up on the focused item."""
    for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
        QGuiApplication.sendEvent(
            shell.window, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
        )


def frame_when(shell: AppShell, screen: str, timeout_s: float = 30.0) -> float:
    """perf_counter of the first frame swapped while `screen` is the current screen."""
    seen: list[float] = []

    def swapped() -> None:
        if not seen and shell.model.navigator.top.value == screen:
            seen.append(time.perf_counter())

    shell.window.frameSwapped.connect(swapped)
    try:
        wait_until(lambda: bool(seen), timeout_s)
    finally:
        shell.window.frameSwapped.disconnect(swapped)
    return seen[0]


def credential(shell: AppShell) -> str:
    """The device credential the app enrolled with (read on the worker, where the core lives)."""
    value = shell.worker.call_sync(lambda: shell.services.account.client.credential)
    assert isinstance(value, str)
    return value


def bind_once(shell: AppShell, sandbox: str, merchant: str, wallet_index: int) -> float:
    """Link a wallet from the Account screen; ms from the backend's BOUND to the Bound frame."""
    shell.model.openAccount()
    wait_until(lambda: shell.model.navigator.top.value == "account")
    shell.model.account_model.link()
    wait_until(lambda: shell.model.navigator.top.value == "wallets")
    wait(150)
    shell.model.wallets_model.choose(wallet_index)
    bind = shell.model.bind_model
    wait_until(lambda: bind.view("phase") == "waiting")
    snapshot = bind.snapshot
    assert snapshot is not None
    assert snapshot.session_id is not None
    session_id = snapshot.session_id
    token = credential(shell)
    learnt: list[float] = []

    def observe() -> None:
        with httpx.Client(base_url=merchant, timeout=40, trust_env=False) as http:
            while True:
                body = http.get(
                    f"/v1/bind-sessions/{session_id}", params={"wait": 25},
                    headers={"Authorization": f"Bearer {token}"},
                ).json()
                if body["state"] != "PENDING":
                    learnt.append(time.perf_counter())
                    return

    observer = threading.Thread(target=observe, daemon=True)
    observer.start()
    wait(100)  # the observer's long-poll is in place
    approve(sandbox, bind.view("qrText"))
    shown = frame_when(shell, "bound")
    observer.join(30)
    bind.proceed()
    wait_until(lambda: shell.model.navigator.top.value == "account")
    return max(0.0, shown - learnt[0]) * 1000


def buy_once(shell: AppShell) -> float:
    """Store → product → one OK on Pay; ms from the press to the Receipt frame."""
    shell.model.goHome()
    wait_until(lambda: shell.model.navigator.top.value == "home")
    wait(150)
    shell.model.store_model.open(0)
    wait_until(lambda: shell.model.product_model.view("canPay"))
    wait(400)  # past the press-freshness window, like a person
    start = time.perf_counter()
    press_ok(shell)
    shown = frame_when(shell, "receipt")
    return (shown - start) * 1000


def direct_purchase(merchant: str, token: str, ref: str) -> float:
    """The same purchase on the device API without the app: ms to the final answer."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    body = {"binding": ref, "product_id": "movie-night",
            "amount": {"currency": "HKD", "value": 3800}}
    with httpx.Client(base_url=merchant, timeout=40, trust_env=False) as http:
        start = time.perf_counter()
        purchase = http.post("/v1/purchases", json=body, headers=headers).json()
        while purchase["state"] in ("CREATED", "PROCESSING"):
            purchase = http.get(
                f"/v1/purchases/{purchase['id']}", params={"wait": 25},
                headers={"Authorization": headers["Authorization"]},
            ).json()
        assert purchase["state"] == "SUCCEEDED", purchase
        return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="purchases (default 20)")
    parser.add_argument("--binds", type=int, default=10, help="binds (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, loopback_stack(Path(tmp)) as (sandbox, merchant):
        shell = loopback_shell(merchant)
        try:
            binds = [bind_once(shell, sandbox, merchant, i % 2) for i in range(args.binds)]
            bind_once(shell, sandbox, merchant, 0)  # end on AlipayHK for the HKD purchases
            purchases = [buy_once(shell) for _ in range(args.n)]
            token = credential(shell)
            ref = shell.worker.call_sync(shell.services.account.binding_ref)
            assert isinstance(ref, str)
            direct = [direct_purchase(merchant, token, ref) for _ in range(args.n)]
        finally:
            shell.close()
    print("real sandbox + merchant backend on loopback, app offscreen (software renderer):")
    print("  " + summary("device API purchase, no app ", direct))
    print("  " + summary("OK on Pay -> receipt frame  ", purchases))
    print(f"    ratio of medians {statistics.median(purchases) / statistics.median(direct):.2f}x;"
          f" p95 {percentile(purchases, 95):.0f} ms (goal < {GOAL_P95_MS:.0f} ms) "
          f"{'OK' if percentile(purchases, 95) < GOAL_P95_MS else 'OVER'}")
    print("  " + summary("backend BOUND -> Bound frame ", binds))
    print(f"    p95 {percentile(binds, 95):.0f} ms (goal < {GOAL_P95_MS:.0f} ms) "
          f"{'OK' if percentile(binds, 95) < GOAL_P95_MS else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
