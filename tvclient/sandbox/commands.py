"""`tvclient sandbox ...`: run the sandbox and operate it from the command line.

    serve        run the sandbox (creates keys and a merchant client in --data on first start)
    approve      answer a pending QR as a test buyer (no token needed, like a phone)
    token        print the operator token stored in a data dir
    status | clients | buyers | qrs | bindings | payments | refunds | notifications
                 list what the sandbox holds (operator API)
    balance      set a buyer's balance
    unlink       unlink a binding as its buyer (TOKEN_CANCELED)
    fault        add | list | remove | clear injected faults
    reports      write one day's report files (and optionally download them)
    notify-urls  set the merchant client's default notification URLs

Each `serve` flag can also come from the environment (`TVCLIENT_SANDBOX_<FLAG>`, e.g.
`TVCLIENT_SANDBOX_PORT`); operator commands take `--url` and `--token` (or `--data DIR`,
which reads the token stored there), also from `TVCLIENT_SANDBOX_URL` / `_TOKEN` / `_DATA`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tvclient.money import InvalidAmountError, Money
from tvclient.sandbox.errors import SandboxError
from tvclient.sandbox.faults import FaultKind, SettleOutcome
from tvclient.sandbox.settings import DEFAULT_HOST, DEFAULT_PORT, NotifyUrls, SandboxSettings

__all__ = ["add_commands", "build_parser", "dispatch", "run"]

_ENV = "TVCLIENT_SANDBOX_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(_ENV + name, default)


def default_data_dir() -> Path:
    """The data dir when none is given: `<user data dir>/tvclient/sandbox`."""
    from platformdirs import user_data_path

    return user_data_path("tvclient") / "sandbox"


# ---------------------------------------------------------------------------- parser
def _add_serve(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the sandbox")
    serve.add_argument("--host", default=_env("HOST", DEFAULT_HOST),
                       help="bind address (0.0.0.0 so phones on the LAN can reach it)")
    serve.add_argument("--port", type=int, default=int(_env("PORT", str(DEFAULT_PORT)) or 0))
    serve.add_argument("--data", type=Path, default=_env("DATA"),
                       help="data dir (default: the user data dir)")
    serve.add_argument("--public-url", default=_env("PUBLIC_URL"),
                       help="base URL phones use for the wallet page (the QR's text)")
    serve.add_argument("--operator-token", default=_env("OPERATOR_TOKEN"),
                       help="operator token (default: the one made on first start)")
    serve.add_argument("--timescale", type=float, default=float(_env("TIMESCALE", "1") or 1),
                       help="sandbox seconds per real second (60: a minute passes in a second)")
    serve.add_argument("--auth-notify-url", default=_env("AUTH_NOTIFY_URL"))
    serve.add_argument("--payment-notify-url", default=_env("PAYMENT_NOTIFY_URL"))
    serve.add_argument("--refund-notify-url", default=_env("REFUND_NOTIFY_URL"))
    serve.add_argument("--no-retry", action="store_true",
                       default=(_env("NO_RETRY", "") or "").lower() in {"1", "true", "yes"},
                       help="send each notification once (Antom's own sandbox) instead of "
                       "re-sending on the production schedule")
    serve.add_argument("--merchant-name", default=_env("MERCHANT_NAME", "Sandbox Merchant"),
                       help="name of the merchant client made on first start")
    serve.add_argument("--access-token-days", type=float,
                       default=float(_env("ACCESS_TOKEN_DAYS", "7") or 7))
    serve.add_argument("--refresh-token-days", type=float,
                       default=float(_env("REFRESH_TOKEN_DAYS", "365") or 365))
    serve.add_argument("--log-level", default=_env("LOG_LEVEL", "info"),
                       choices=["debug", "info", "warning", "error"])
    serve.set_defaults(handler=_serve)


def _populate(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    _add_serve(sub)

    approve = sub.add_parser("approve", help="answer a pending QR as a test buyer")
    approve.add_argument("--url", default=_env("URL", f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"),
                         help="the sandbox's base URL")
    approve.add_argument("code_value", metavar="CODE_VALUE", nargs="?",
                         help="the QR's text (omit with --newest)")
    approve.add_argument("--newest", action="store_true",
                         help="answer the newest pending QR (needs the operator token: --data)")
    approve.add_argument("--data", type=Path, default=_env("DATA"),
                         help="data dir holding the operator token (for --newest)")
    approve.add_argument("--demo", action="store_true",
                         help="the sandbox of the running `tvclient` demo stack (implies --newest)")
    approve.add_argument("--buyer", help="test buyer ID (default: the wallet's first buyer)")
    approve.add_argument("--decline", action="store_true", help="decline instead of agree")
    approve.set_defaults(handler=_approve)

    token = sub.add_parser("token", help="print the operator token stored in a data dir")
    token.add_argument("--data", type=Path, default=_env("DATA"))
    token.set_defaults(handler=_token)

    def operator(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> (
        argparse.ArgumentParser
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--url", default=_env("URL", f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"))
        cmd.add_argument("--token", default=_env("TOKEN"),
                         help="operator token (or give --data to read it from the data dir)")
        cmd.add_argument("--data", type=Path, default=_env("DATA"))
        cmd.add_argument("--json", action="store_true", help="print the raw JSON answer")
        cmd.set_defaults(handler=handler)
        return cmd

    for name, what in (
        ("status", "clock, time scale and counts"),
        ("clients", "merchant clients"),
        ("buyers", "test buyers and balances"),
        ("qrs", "QR codes from consult"),
        ("bindings", "buyer-merchant agreements"),
        ("payments", "payments"),
        ("refunds", "refunds"),
        ("notifications", "notifications and their delivery"),
    ):
        lister = operator(name, f"list {what}", _list)
        lister.add_argument("--limit", type=int, default=50)

    balance = operator("balance", "set a buyer's balance", _balance)
    balance.add_argument("buyer", metavar="BUYER")
    balance.add_argument("amount", metavar="AMOUNT", help="in major units, e.g. 5000 or 12.50")

    unlink = operator("unlink", "unlink a binding as its buyer (TOKEN_CANCELED)", _unlink)
    unlink.add_argument("binding", metavar="BINDING_ID")

    urls = operator("notify-urls", "set the client's default notification URLs", _notify_urls)
    urls.add_argument("--client", help="client ID (default: the first client)")
    urls.add_argument("--authorization")
    urls.add_argument("--payment")
    urls.add_argument("--refund")

    fault = operator("fault", "inject faults: add | list | remove ID | clear", _fault)
    fault.add_argument("action", choices=["add", "list", "remove", "clear"])
    fault.add_argument("target", nargs="?",
                       help="API (pay, refund, ...) or notification (notifyPayment, ...); "
                       "for remove: the fault ID")
    fault.add_argument("kind", nargs="?", choices=[kind.value for kind in FaultKind])
    fault.add_argument("--count", type=int, default=1)
    fault.add_argument("--seconds", type=float)
    fault.add_argument("--status", type=int, help="HTTP status of http_error (5xx)")
    fault.add_argument("--outcome", choices=[o.value for o in SettleOutcome])
    fault.add_argument("--processed", choices=["yes", "no"],
                       help="whether a timeout / http_error call takes effect")

    reports = operator("reports", "write one day's report files", _reports)
    reports.add_argument("date", metavar="DATE", help="transaction date YYYY-MM-DD (GMT+8)")
    reports.add_argument("--download", type=Path, metavar="DIR",
                         help="also copy the files into DIR (same v1/settlements/... layout)")


def build_parser(prog: str = "tvclient sandbox") -> argparse.ArgumentParser:
    """The parser of `tvclient sandbox`."""
    parser = argparse.ArgumentParser(prog=prog, description="The offline Antom sandbox.")
    _populate(parser)
    return parser


def add_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `sandbox` and its subcommands to a `tvclient` parser's subparsers.

    After parsing, call `dispatch(args)`.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox", help="run and operate the offline Antom sandbox",
        description="The offline Antom sandbox.",
    )
    _populate(parser)
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run a parsed `tvclient sandbox` command; returns the exit code."""
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SandboxError as exc:
        print(f"tvclient sandbox: {exc}", file=sys.stderr)
        return 1


def run(argv: Sequence[str]) -> int:
    """`tvclient sandbox ARGV...`; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse exits on --help and on usage errors
        return int(exc.code or 0)
    return dispatch(args)


# ---------------------------------------------------------------------------- serve
def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from tvclient.sandbox.app import create_app, sandbox_of
    from tvclient.sandbox.clocks import resume_clock
    from tvclient.sandbox.datadir import CLIENT_FILE

    try:
        settings = SandboxSettings(
            data_dir=(args.data or default_data_dir()).expanduser(),
            host=args.host,
            port=args.port,
            public_base_url=args.public_url,
            operator_token=args.operator_token,
            time_scale=args.timescale,
            notify_urls=NotifyUrls(args.auth_notify_url, args.payment_notify_url,
                                   args.refund_notify_url),
            retry_notifications=not args.no_retry,
            merchant_name=args.merchant_name,
            access_token_ttl=dt.timedelta(days=args.access_token_days),
            refresh_token_ttl=dt.timedelta(days=args.refresh_token_days),
        )
    except ValueError as exc:
        print(f"tvclient sandbox serve: {exc}", file=sys.stderr)
        return 2
    clock = resume_clock(settings.data_dir, settings.time_scale)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings, clock=clock)
    sandbox = sandbox_of(app)
    print(f"Antom sandbox for client {sandbox.identity.client_id}", flush=True)
    print(f"  API base URL   {settings.api_base_url}  (paths /ams/sandbox/api/v1/...)")
    print(f"  wallet page    {settings.wallet_base_url}/wallet")
    print(f"  data dir       {settings.data_dir}  ({CLIENT_FILE} and key files)")
    print(f"  time scale     x{settings.time_scale:g}")
    print(f"  operator API   {settings.api_base_url}/operator/v1 "
          f"(token: tvclient sandbox token --data {settings.data_dir})", flush=True)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level=args.log_level,
        access_log=False, lifespan="on",
    )
    server = uvicorn.Server(config)
    server.run()
    return 0


# ---------------------------------------------------------------------------- commands
def _approve(args: argparse.Namespace) -> int:
    from tvclient.sandbox.remote import approve

    code_value = args.code_value
    if args.demo:
        located = _demo_sandbox()
        if located is None:
            print("approve: no demo stack is running (start `tvclient` first)", file=sys.stderr)
            return 1
        args.url, args.data = located
        args.newest = not code_value
    if args.newest == bool(code_value):
        print("approve: give either CODE_VALUE or --newest", file=sys.stderr)
        return 2
    if args.newest:
        with _client(argparse.Namespace(url=args.url, token=None, data=args.data)) as client:
            pending = client.request("GET", "/qrs?status=PENDING&limit=1")["qrs"]
        if not pending:
            print("approve: no QR is waiting to be answered", file=sys.stderr)
            return 1
        code_value = pending[0]["codeValue"]
    result = approve(args.url, code_value, buyer=args.buyer, decline=args.decline)
    verb = "declined" if result["status"] == "DECLINED" else "approved"
    print(f"{verb} for buyer {result['buyerId']} (authState {result['authState']})")
    return 0


def _demo_sandbox() -> tuple[str, Path] | None:
    """The URL and data dir of the demo stack's sandbox, from the file the stack writes."""
    from platformdirs import user_data_path

    demo = user_data_path("tvclient") / "demo"
    try:
        record = json.loads((demo / "stack.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = record.get("sandbox_url") if isinstance(record, dict) else None
    return (url, demo / "sandbox") if isinstance(url, str) else None


def _token(args: argparse.Namespace) -> int:
    from tvclient.sandbox.datadir import read_operator_token

    print(read_operator_token((args.data or default_data_dir()).expanduser()))
    return 0


def _client(args: argparse.Namespace) -> Any:
    from tvclient.sandbox.datadir import read_operator_token
    from tvclient.sandbox.remote import OperatorClient

    token = args.token
    if not token:
        token = read_operator_token((args.data or default_data_dir()).expanduser())
    return OperatorClient(args.url, token)


def _print(args: argparse.Namespace, data: Any, rows_key: str | None = None,
           columns: Sequence[str] = ()) -> None:
    if args.json or rows_key is None:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows = data.get(rows_key, [])
    if not rows:
        print(f"(no {rows_key})")
        return
    columns = [c for c in columns if any(c in row for row in rows)] or list(rows[0])
    table = [[str(row.get(c, "") if row.get(c) is not None else "") for c in columns]
             for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for r in table:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": ("clientId", "merchantId", "merchantName", "authNotifyUrl", "paymentNotifyUrl",
                "refundNotifyUrl"),
    "buyers": ("buyerId", "wallet", "name", "loginId", "currency", "balance"),
    "qrs": ("status", "wallet", "authState", "buyerId", "createdAt", "expiresAt", "codeValue"),
    "bindings": ("bindingId", "status", "wallet", "buyerId", "clientId", "createdAt",
                 "revokedBy"),
    "payments": ("paymentRequestId", "paymentId", "status", "resultCode", "currency", "amount",
                 "refunded", "buyerId", "createdAt"),
    "refunds": ("refundRequestId", "refundId", "paymentId", "status", "resultCode", "currency",
                "amount", "createdAt"),
    "notifications": ("id", "kind", "subject", "status", "attempts", "nextAt", "url",
                      "lastError"),
    "faults": ("id", "target", "kind", "remaining", "seconds", "status", "outcome",
               "processed"),
}


def _list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        path = f"/{args.command}" + ("" if args.command == "status" else f"?limit={args.limit}")
        data = client.request("GET", path)
    key = None if args.command == "status" else args.command
    _print(args, data, key, _COLUMNS.get(args.command, ()))
    return 0


def _balance(args: argparse.Namespace) -> int:
    with _client(args) as client:
        buyers = client.request("GET", "/buyers")["buyers"]
        buyer = next((b for b in buyers if b["buyerId"] == args.buyer), None)
        if buyer is None:
            print(f"tvclient sandbox balance: no buyer {args.buyer!r}", file=sys.stderr)
            return 1
        try:
            money = Money.parse(args.amount, buyer["currency"])
        except InvalidAmountError as exc:
            print(f"tvclient sandbox balance: {exc}", file=sys.stderr)
            return 2
        data = client.request("PUT", f"/buyers/{args.buyer}/balance", {"value": str(money.minor)})
    print(f"{data['buyerId']}: {Money(int(data['balance']), data['currency'])}")
    return 0


def _unlink(args: argparse.Namespace) -> int:
    with _client(args) as client:
        data = client.request("POST", f"/bindings/{args.binding}/unlink")
    print(f"binding {data['bindingId']} {data['status'].lower()}")
    return 0


def _notify_urls(args: argparse.Namespace) -> int:
    with _client(args) as client:
        client_id = args.client or client.request("GET", "/status")["clientId"]
        body = {k: getattr(args, k) for k in ("authorization", "payment", "refund")
                if getattr(args, k) is not None}
        data = client.request("PUT", f"/clients/{client_id}/notify-urls", body)
    print(json.dumps(data, indent=2))
    return 0


def _fault(args: argparse.Namespace) -> int:
    with _client(args) as client:
        if args.action == "list":
            _print(args, client.request("GET", "/faults"), "faults", _COLUMNS["faults"])
            return 0
        if args.action == "clear":
            print(f"removed {client.request('DELETE', '/faults')['removed']} fault(s)")
            return 0
        if args.action == "remove":
            if not args.target or not args.target.isdigit():
                print("tvclient sandbox fault remove: give the fault ID", file=sys.stderr)
                return 2
            client.request("DELETE", f"/faults/{args.target}")
            print(f"removed fault {args.target}")
            return 0
        if not args.target or not args.kind:
            print("tvclient sandbox fault add: give TARGET and KIND", file=sys.stderr)
            return 2
        body: dict[str, Any] = {"target": args.target, "kind": args.kind, "count": args.count}
        for key in ("seconds", "status", "outcome"):
            if getattr(args, key) is not None:
                body[key] = getattr(args, key)
        if args.processed is not None:
            body["processed"] = args.processed == "yes"
        fault = client.request("POST", "/faults", body)["fault"]
    print(f"fault {fault['id']}: {fault['kind']} on the next {fault['remaining']} "
          f"{fault['target']} call(s)")
    return 0


def _reports(args: argparse.Namespace) -> int:
    try:
        day = dt.date.fromisoformat(args.date)
    except ValueError:
        print("tvclient sandbox reports: DATE must be YYYY-MM-DD", file=sys.stderr)
        return 2
    with _client(args) as client:
        files = client.request("POST", "/reports", {"date": day.isoformat()})["files"]
        for name in files:
            print(name)
            if args.download is not None:
                target = args.download / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(client.text(f"/reports/{name}"), encoding="utf-8")
    return 0
