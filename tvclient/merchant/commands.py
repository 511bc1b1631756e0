"""`tvclient merchant ...`: serve the backend and operate it from the command line.

`run(argv)` is the whole command line (the lead wires `tvclient merchant` to it;
`python -m tvclient.merchant` runs it too). Exit codes: 0 success, 1 a discrepancy or refused
operation, 2 bad usage, configuration or input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from tvclient.antom.errors import AntomError
from tvclient.clock import SystemClock
from tvclient.merchant.antom_port import AntomReply, Api
from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.errors import AfterSaleError, ApiError, MerchantError, ReportFormatError

__all__ = ["build_parser", "run"]

_HIDDEN = {"sandbox_dir", "test_crash_after_pay"}


class _NoAntom:
    """For commands that never call Antom (listing): any call is an unknown outcome."""

    async def call(self, api: Api, body: Mapping[str, Any]) -> AntomReply:  # noqa: ARG002
        """Refuse."""
        return AntomReply("U", "NOT_CONFIGURED", "Antom is not configured for this command")


def _settings_parser() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("settings (also TVCLIENT_MERCHANT_<NAME> or the config file)")
    group.add_argument("--config", type=Path, help="TOML config file ([merchant] table)")
    group.add_argument(
        "--sandbox-dir",
        type=Path,
        dest="sandbox_dir",
        help="a sandbox data dir: client ID, keys and Antom URL from its client.json",
    )
    for item in fields(MerchantConfig):
        if item.name in _HIDDEN:
            continue
        flag = "--" + item.name.replace("_", "-")
        if str(item.type) == "bool":
            group.add_argument(
                flag, dest=item.name, action=argparse.BooleanOptionalAction, default=None
            )
        else:
            group.add_argument(flag, dest=item.name, default=None, metavar=item.name.upper())
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `tvclient merchant`."""
    settings = _settings_parser()
    parser = argparse.ArgumentParser(
        prog="tvclient merchant", description="The merchant backend: serve it, operate it."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[settings], help=text, description=text)

    add("serve", "run the backend (device API, notifications, admin API)")
    add("migrate", "bring the database schema up to date")
    listing = add("purchases", "list purchases, newest first")
    listing.add_argument("--state")
    listing.add_argument("--binding")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true")
    one = add("purchase", "show one purchase with its refunds")
    one.add_argument("purchase_id")
    one.add_argument("--json", action="store_true")
    bindings = add("bindings", "list bindings")
    bindings.add_argument("--state")
    bindings.add_argument("--limit", type=int, default=100)
    bindings.add_argument("--json", action="store_true")
    binding = add("binding", "show one binding (never its tokens)")
    binding.add_argument("ref")
    unbind = add("unbind", "revoke a binding at Antom")
    unbind.add_argument("ref")
    refund = add("refund", "refund a paid purchase, fully or partly")
    refund.add_argument("purchase_id")
    refund.add_argument("--amount", help="in major units, e.g. 12.50 (default: what is left)")
    refund.add_argument("--reason")
    status = add("refund-status", "ask Antom about a refund (inquiryRefund)")
    status.add_argument("refund_id")
    cancel = add("cancel", "cancel a purchase at Antom (a paid one is refunded in full)")
    cancel.add_argument("purchase_id")
    declare = add("declare", "declare a paid purchase to customs (China customs only)")
    declare.add_argument("purchase_id")
    declare.add_argument("--amount", required=True, help="major units, e.g. 10.00")
    declare.add_argument("--currency", default="CNY")
    declare.add_argument("--customs-code", required=True)
    declare.add_argument("--region", default="CN")
    declare.add_argument("--merchant-customs-code", required=True)
    declare.add_argument("--merchant-customs-name", required=True)
    declare.add_argument("--split-order", action="store_true")
    declare.add_argument("--sub-order-id")
    inquire = add("declarations", "ask Antom about declarations (inquiryDeclarationRequests)")
    inquire.add_argument("request_ids", nargs="+")
    recon = add("reconcile", "match Antom's report files (SFTP tree) against the ledger")
    recon.add_argument("directory", type=Path)
    recon.add_argument("--json", action="store_true")
    return parser


def _config(args: argparse.Namespace) -> MerchantConfig:
    flags = {
        item.name: getattr(args, item.name)
        for item in fields(MerchantConfig)
        if getattr(args, item.name, None) is not None
    }
    return MerchantConfig.from_sources(file=args.config, env=os.environ, flags=flags)


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def run(argv: Sequence[str]) -> int:
    """Run `tvclient merchant ARGV...`; the exit code."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        config = _config(args)
    except MerchantError as exc:
        print(f"tvclient merchant: {exc}", file=sys.stderr)
        return 2
    from tvclient.merchant.logs import configure_logging

    # Admin commands print their answer; their logs matter only when something goes wrong.
    quiet = args.command != "serve" and args.log_level is None
    configure_logging("WARNING" if quiet else config.log_level, json_lines=config.log_json)
    handler = _HANDLERS[args.command]
    try:
        return asyncio.run(handler(config, args))
    except KeyboardInterrupt:
        return 130
    except (MerchantError, AntomError, OSError) as exc:
        print(f"tvclient merchant {args.command}: {exc}", file=sys.stderr)
        return 2


async def _serve(config: MerchantConfig, _args: argparse.Namespace) -> int:
    from tvclient.merchant.server import serve

    config.check_antom()
    await serve(config)
    return 0


async def _with_backend(
    config: MerchantConfig,
    action: Callable[[Any], Awaitable[int]],
    *,
    antom: bool,
) -> int:
    from tvclient.merchant.antom_gateway import AntomGateway
    from tvclient.merchant.backend import Backend, token_secret

    clock = SystemClock()
    if antom:
        port: Any = AntomGateway.from_config(config, clock=clock)
        secret = token_secret(config)
    else:
        port = _NoAntom()
        secret = (
            token_secret(config) if (config.token_key or config.private_key) else os.urandom(32)
        )
    backend = Backend(config, clock=clock, antom=port, secret=secret)
    try:
        await backend.start(background=False)
        return await action(backend)
    finally:
        await backend.stop()
        await backend.antom.aclose()


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    widths = [
        max([len(name), *(len(str(row.get(name) or "")) for row in rows)]) for name in columns
    ]
    print("  ".join(name.upper().ljust(width) for name, width in zip(columns, widths, strict=True)))
    for row in rows:
        print(
            "  ".join(
                str(row.get(name) or "").ljust(width)
                for name, width in zip(columns, widths, strict=True)
            )
        )


async def _migrate(config: MerchantConfig, _args: argparse.Namespace) -> int:
    from tvclient.merchant.store import Database
    from tvclient.merchant.wakeups import Wakeups

    db = Database(config.database, Wakeups())
    try:
        await db.migrate()
        print(f"schema is current: {await db.schema_version()} ({db.describe()})")
    finally:
        await db.close()
    return 0


async def _purchases(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import purchase_admin_view

    async def act(backend: Any) -> int:
        rows, _ = await backend.purchases.history(
            None, args.binding, limit=args.limit, before=None, state=args.state
        )
        views = [purchase_admin_view(row) for row in rows]
        if args.json:
            _print(views)
        else:
            _table(
                views,
                (
                    "id",
                    "state",
                    "currency",
                    "amount_minor",
                    "product_id",
                    "binding_ref",
                    "created_at",
                    "failure_code",
                ),
            )
        return 0

    return await _with_backend(config, act, antom=False)


async def _purchase(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import purchase_admin_view

    async def act(backend: Any) -> int:
        try:
            row = await backend.purchases.get(None, args.purchase_id, None)
        except ApiError:
            print(f"no purchase {args.purchase_id}", file=sys.stderr)
            return 1
        _print(purchase_admin_view(row, await backend.after_sale.refunds_of(args.purchase_id)))
        return 0

    return await _with_backend(config, act, antom=False)


async def _bindings(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import binding_admin_view

    async def act(backend: Any) -> int:
        views = [
            binding_admin_view(row)
            for row in await backend.bindings.find(state=args.state, limit=args.limit)
        ]
        if args.json:
            _print(views)
        else:
            _table(
                views,
                ("ref", "wallet", "state", "revoked_by", "account", "device_id", "created_at"),
            )
        return 0

    return await _with_backend(config, act, antom=False)


async def _binding(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import binding_admin_view

    async def act(backend: Any) -> int:
        try:
            _print(binding_admin_view(await backend.bindings.get(None, args.ref)))
        except ApiError:
            print(f"no binding {args.ref}", file=sys.stderr)
            return 1
        return 0

    return await _with_backend(config, act, antom=False)


async def _unbind(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import binding_admin_view

    async def act(backend: Any) -> int:
        try:
            _print(binding_admin_view(await backend.bindings.revoke(None, args.ref)))
        except ApiError:
            print(f"no binding {args.ref}", file=sys.stderr)
            return 1
        return 0

    return await _with_backend(config, act, antom=True)


async def _after_sale(config: MerchantConfig, action: Callable[[Any], Awaitable[Any]]) -> int:
    async def act(backend: Any) -> int:
        try:
            result = await action(backend)
        except AfterSaleError as exc:
            print(f"refused ({exc.code}): {exc}", file=sys.stderr)
            return 1
        _print(result)
        return 0

    return await _with_backend(config, act, antom=True)


async def _refund(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.after_sale import parse_refund_amount
    from tvclient.merchant.views import refund_view

    async def action(backend: Any) -> Any:
        amount = None
        if args.amount is not None:
            purchase = await backend.purchases.get(None, args.purchase_id, None)
            amount = parse_refund_amount(args.amount, purchase["currency"])
        return refund_view(await backend.after_sale.refund(args.purchase_id, amount, args.reason))

    return await _after_sale(config, action)


async def _refund_status(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import refund_view

    async def action(backend: Any) -> Any:
        row, status = await backend.after_sale.inquire_refund(args.refund_id)
        return {**refund_view(row), "antom_refund_status": status}

    return await _after_sale(config, action)


async def _cancel(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.views import purchase_admin_view

    async def action(backend: Any) -> Any:
        return purchase_admin_view(await backend.after_sale.cancel(args.purchase_id))

    return await _after_sale(config, action)


async def _declare(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.after_sale import parse_refund_amount
    from tvclient.merchant.views import refund_view

    async def action(backend: Any) -> Any:
        row = await backend.after_sale.declare(
            args.purchase_id,
            amount=parse_refund_amount(args.amount, args.currency),
            customs_code=args.customs_code,
            region=args.region,
            merchant_customs_code=args.merchant_customs_code,
            merchant_customs_name=args.merchant_customs_name,
            split_order=args.split_order,
            sub_order_id=args.sub_order_id,
        )
        return refund_view(row)

    return await _after_sale(config, action)


async def _declarations(config: MerchantConfig, args: argparse.Namespace) -> int:
    async def action(backend: Any) -> Any:
        return await backend.after_sale.inquire_declarations(args.request_ids)

    return await _after_sale(config, action)


async def _reconcile(config: MerchantConfig, args: argparse.Namespace) -> int:
    from tvclient.merchant.reconcile import read_reports, reconcile

    try:
        reports = read_reports(args.directory)
    except ReportFormatError as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return 2
    if reports.problems:
        for problem in reports.problems:
            print(f"malformed report: {problem}", file=sys.stderr)
        print("nothing was reconciled: fix or re-download the files above", file=sys.stderr)
        return 2
    if not reports.files:
        print(f"reconcile: no report files under {args.directory}", file=sys.stderr)
        return 2

    async def act(backend: Any) -> int:
        async with backend.db.read() as conn:
            result = await reconcile(conn, reports)
        if args.json:
            _print(result.as_dict())
        else:
            print(f"files: {len(result.files)}; transaction days: {', '.join(result.days) or '-'}")
            print(f"matched: {result.matched}")
            for kind in (
                "missing_in_ledger",
                "missing_in_report",
                "amount_mismatch",
                "status_mismatch",
                "duplicate_row",
                "summary_mismatch",
            ):
                print(f"{kind.replace('_', ' ')}: {result.count(kind)}")
            for item in result.discrepancies:
                where = f" [{item.where}]" if item.where else ""
                print(f"  {item.kind}: {item.reference}: {item.detail}{where}")
            print("clean" if result.clean else "DISCREPANCIES FOUND")
        return 0 if result.clean else 1

    return await _with_backend(config, act, antom=False)


_HANDLERS: dict[str, Callable[[MerchantConfig, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "serve": _serve,
    "migrate": _migrate,
    "purchases": _purchases,
    "purchase": _purchase,
    "bindings": _bindings,
    "binding": _binding,
    "unbind": _unbind,
    "refund": _refund,
    "refund-status": _refund_status,
    "cancel": _cancel,
    "declare": _declare,
    "declarations": _declarations,
    "reconcile": _reconcile,
}
