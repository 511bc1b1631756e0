"""What `run()` needs from its caller: the device core and the device-side settings.

`tvclient/cli.py` (or `tvclient/booth/`) builds these; the app never builds device-core objects
itself, so the same app runs against the embedded demo stack, a real backend or a test fake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tvclient.clock import Clock
    from tvclient.device.account import AccountService
    from tvclient.device.home_snapshot import SnapshotStore
    from tvclient.device.safety.cap import SpendingCap
    from tvclient.device.safety.pin import PinGuard
    from tvclient.device.safety.settings import SafetySettings

__all__ = ["AppOptions", "AppServices", "LanguageStore"]


class LanguageStore(Protocol):
    """Where the buyer's language choice is kept between runs (the device settings)."""

    def load(self) -> str | None:
        """The saved language tag, or None before the first choice."""
        ...

    def save(self, language: str) -> None:
        """Remember the chosen language tag."""
        ...


@dataclass(frozen=True, slots=True)
class AppServices:
    """The device-core objects the app drives.

    Attributes:
        account: The device core's account service (enrolment, binding, catalog, flows). Its
            calls run on the app's worker loop only.
        clock: The clock everything shares (the flows, the pay guard, the countdowns).
        pins: The purchase PIN guard.
        cap: The daily spending cap (the same one the account's purchase flows reserve on).
        safety_settings: How strict the Pay control is (`purchase.*` settings).
        languages: Where the language choice is saved.
        demo: The backend is the embedded demo stack (shows the DEMO badge).
        input_settings: The `input.*` settings for the input layer (missing keys → defaults).
        config_dir: The user config dir (controller mappings live there).
        aclose: Awaited on the worker loop when the app closes (e.g. the httpx client's
            `aclose`: its connections belong to that loop).
        home_snapshot: Where the store's tiles are kept for the next start (None: nowhere;
            the store then waits for the backend's catalog on every start).
    """

    account: AccountService
    clock: Clock
    pins: PinGuard
    cap: SpendingCap
    safety_settings: SafetySettings
    languages: LanguageStore
    demo: bool = False
    input_settings: Mapping[str, object] = field(default_factory=dict)
    config_dir: Path | None = None
    aclose: Callable[[], Awaitable[None]] | None = None
    home_snapshot: SnapshotStore | None = None


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How to show the app (from the command line).

    Attributes:
        fullscreen: Fullscreen (the default on a TV); False for a window while developing.
        language: Force a language tag (`en`, `zh-HK`, `id`) instead of the saved/system one.
        size: Window size in pixels when not fullscreen.
        timezone: Time zone for times on receipts; None is the device's own.
        system_locale: The system locale name (None: ask Qt); decides the first-run language.
    """

    fullscreen: bool = True
    language: str | None = None
    size: tuple[int, int] = (1280, 720)
    timezone: dt.tzinfo | None = None
    system_locale: str | None = None
