"""The `tvclient` command: parses the command line and wires the parts together.

This is the composition root (with `tvclient/booth/`): the only place where the device app, the
device core, the merchant backend and the sandbox meet. Server-side packages are imported lazily,
so a device installed without the `server` extra still runs `tvclient --backend URL`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tvclient import __version__
from tvclient.clock import Clock, SystemClock
from tvclient.coldstart import CollectorPause

if TYPE_CHECKING:
    import httpx
    from keyring.backend import KeyringBackend

    from tvclient.app.services import AppServices
    from tvclient.device.home_snapshot import SnapshotStore
    from tvclient.device.settings import SettingsStore

__all__ = [
    "build_device",
    "build_id",
    "build_parser",
    "default_snapshot_path",
    "demo_data_dir",
    "main",
    "run_device",
]

_SUBCOMMANDS = ("merchant", "sandbox", "doctor")
# Written into packaged builds by scripts/package (commit and date); a source tree has none.
_BUILD_STAMP = Path(__file__).with_name("_build.txt")


def build_id() -> str:
    """Which build this is: `<commit> <date>` in a packaged build, `source` in a source tree."""
    try:
        stamp = _BUILD_STAMP.read_text(encoding="utf-8").strip()
    except OSError:
        return "source"
    return stamp or "source"


def _backend_url(text: str) -> str:
    """`--backend` checked while parsing, so a mistyped URL is a usage error, not a traceback."""
    from tvclient.device.client import normalise_backend_url

    try:
        return normalise_backend_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    parser.add_argument(
        "--version", action="version", version=f"tvclient {__version__} (build {build_id()})"
    )
    parser.add_argument(
        "--backend", metavar="URL", type=_backend_url,
        help="merchant backend to use (no demo stack)",
    )
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
    booth = parser.add_argument_group("demo booth (--booth; see docs/booth.md)")
    booth.add_argument("--bind-host", metavar="HOST",
                       help="address the booth's wallet page listens on (default 0.0.0.0)")
    booth.add_argument("--wallet-port", metavar="PORT", type=int,
                       help="port of the booth's wallet page, opened by phones (default 8300)")
    booth.add_argument("--backend-port", metavar="PORT", type=int,
                       help="loopback port of the booth's merchant backend (default 8301)")
    booth.add_argument("--public-url", metavar="URL",
                       help="base URL phones use for the wallet page (default: this machine's "
                            "LAN address and the wallet port)")
    booth.add_argument("--reset-after", metavar="SECONDS", type=float,
                       help="seconds without input before the reset countdown (min 10, "
                            "default 90)")
    booth.add_argument("--staff-pin-file", metavar="FILE",
                       help="file holding the staff PIN (4-8 digits)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tvclient` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in _SUBCOMMANDS:
        return _run_subcommand(args[0], args[1:])
    # Held off until the window is up (see tvclient/coldstart.py); every way out ends it.
    startup = CollectorPause()
    try:
        options = build_parser().parse_args(args)
        if options.booth or options.self_test:
            startup.end()  # these run for long before (and after) any window: collect as usual
        if options.booth:
            from tvclient.booth.run import run_booth

            return run_booth(options)
        if options.self_test:
            from tvclient.booth.selftest import run_self_test

            return run_self_test(options)
        return run_device(options, startup=startup)
    finally:
        startup.end()


def _local_timezone() -> dt.tzinfo:
    return dt.datetime.now().astimezone().tzinfo or dt.UTC


def build_device(
    backend_url: str,
    *,
    demo: bool,
    settings_path: Path | None = None,
    clock: Clock | None = None,
    keyring_backend: KeyringBackend | None = None,
    store: SettingsStore | None = None,
    home_snapshot: SnapshotStore | None = None,
) -> AppServices:
    """Wire the device core and its safety guards for one backend (what the app drives).

    `store` shares an existing settings store (the booth clears the visitor's PIN, cap and
    pending purchases in it between visitors); otherwise one is opened at `settings_path`.
    `home_snapshot` keeps the store's tiles for the next start (None: nowhere).
    """
    import platform

    from tvclient.app.services import AppServices
    from tvclient.device.account import AccountService, DeviceInfo
    from tvclient.device.client import MerchantClient
    from tvclient.device.intents import IntentStore
    from tvclient.device.safety.cap import SpendingCap
    from tvclient.device.safety.pin import PinGuard
    from tvclient.device.safety.settings import SafetySettings
    from tvclient.device.settings import (
        KeyringFallback,
        LanguagePreference,
        SettingsStore,
        default_settings_path,
    )
    from tvclient.device.vault import BindingVault, SecretFile, default_fallback_path

    # The input layer and the Pay guard measure human timings (150 ms repeats, 1 s holds), so the
    # device always runs on the real clock, whatever clock the sandbox uses.
    clock = clock or SystemClock()
    store = store or SettingsStore(settings_path or default_settings_path())
    settings = store.read()
    # Made at the first request, on the app's worker thread, after the first frame.
    client = MerchantClient(_new_http_client, backend_url, language=settings.language or "en")
    fallback = (
        SecretFile(default_fallback_path())
        if settings.keyring_fallback is KeyringFallback.FILE
        else None
    )
    vault = BindingVault(backend_url, keyring_backend=keyring_backend, fallback=fallback)
    cap = SpendingCap(store, clock, _local_timezone())
    account = AccountService(
        client,
        vault,
        IntentStore(store),
        clock,
        DeviceInfo(
            name=platform.node() or "tvclient device",
            platform=f"{platform.system().lower()}-{platform.machine()}",
            app_version=__version__,
        ),
        cap=cap,
    )
    safety_settings = SafetySettings.from_mapping(settings.mapping())
    return AppServices(
        account=account,
        clock=clock,
        pins=PinGuard(store, clock, safety_settings),
        cap=cap,
        safety_settings=safety_settings,
        languages=LanguagePreference(store),
        demo=demo,
        input_settings=settings.mapping(),
        config_dir=store.path.parent,
        aclose=client.aclose,
        home_snapshot=home_snapshot,
    )


def _new_http_client() -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient()


def default_snapshot_path() -> Path:
    """Where the device keeps its home screen for the next start (the user cache dir)."""
    from platformdirs import user_cache_path

    return user_cache_path("tvclient") / "home.json"


def demo_data_dir(given: str | None) -> Path:
    """Where the embedded demo stack keeps its data (the user data dir unless given)."""
    if given:
        return Path(given).expanduser()
    from platformdirs import user_data_path

    return user_data_path("tvclient") / "demo"


def run_device(options: argparse.Namespace, *, startup: CollectorPause | None = None) -> int:
    """`tvclient [--backend URL]`: the device app, on a given backend or the embedded demo.

    `startup` is `main()`'s collector pause; the app ends it once its window is up.
    """
    from tvclient.app.main import run as run_app
    from tvclient.app.services import AppOptions
    from tvclient.device.settings import SettingsStore, default_settings_path
    from tvclient.logs import configure_logging

    configure_logging()
    backend_url = options.backend or SettingsStore(default_settings_path()).read().backend_url
    app_options = AppOptions(
        fullscreen=not options.windowed, language=options.language, timezone=_local_timezone()
    )
    from tvclient.device.home_snapshot import SnapshotFile

    snapshot = SnapshotFile(default_snapshot_path())
    if backend_url:
        services = build_device(backend_url, demo=False, home_snapshot=snapshot)
        return run_app(app_options, services=services, startup=startup)

    from tvclient.booth.stack import EmbeddedStack, StackError

    stack = EmbeddedStack(demo_data_dir(options.data_dir))
    try:
        urls = stack.start()
    except StackError as exc:
        print(f"tvclient: {exc}", file=sys.stderr)
        return 1
    try:
        services = build_device(urls.backend_url, demo=True, home_snapshot=snapshot)
        return run_app(app_options, services=services, startup=startup)
    finally:
        stack.stop()


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
