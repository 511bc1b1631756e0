"""The `tvclient` command: parses the command line and wires the parts together.

This is the composition root (with `tvclient/booth/`): the only place where the device app, the
device core, the merchant backend and the sandbox meet. Server-side packages are imported lazily,
so a device installed without the `server` extra still runs `tvclient --backend URL`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tvclient import __version__

__all__ = ["build_parser", "main"]

_SUBCOMMANDS = ("merchant", "sandbox", "doctor")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the device app's own options (subcommands are parsed by their parts)."""
    parser = argparse.ArgumentParser(
        prog="tvclient",
        description=(
            "Scan to Bind on the big screen. With no backend configured, starts the embedded "
            "demo stack (Antom sandbox + merchant backend on loopback)."
        ),
        epilog=(
            "subcommands: 'tvclient merchant ...' (backend and admin), "
            "'tvclient sandbox ...' (Antom simulator), 'tvclient doctor' (check this machine)"
        ),
    )
    parser.add_argument("--version", action="version", version=f"tvclient {__version__}")
    parser.add_argument("--backend", metavar="URL", help="merchant backend to use (no demo stack)")
    parser.add_argument("--booth", action="store_true", help="demo booth (kiosk) mode")
    parser.add_argument(
        "--allow-real-backend",
        action="store_true",
        help="let --booth talk to a backend that is not the embedded sandbox",
    )
    parser.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    parser.add_argument("--language", choices=("en", "zh-HK", "id"), help="UI language")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the demo stack, render the home screen offscreen, check the QR, exit",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where the embedded demo stack keeps its data",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tvclient` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _SUBCOMMANDS:
        return _run_subcommand(args[0], args[1:])
    options = build_parser().parse_args(args)
    from tvclient.launch import run_device

    return run_device(options)


def _run_subcommand(name: str, argv: list[str]) -> int:
    if name == "doctor":
        from tvclient.doctor import run as run_doctor

        return run_doctor(argv)
    try:
        if name == "merchant":
            from tvclient.merchant.commands import run
        else:
            from tvclient.sandbox.commands import run
    except ImportError as exc:
        print(
            f"tvclient {name} needs the server extra: pip install 'tvclient[server]' ({exc})",
            file=sys.stderr,
        )
        return 2
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
