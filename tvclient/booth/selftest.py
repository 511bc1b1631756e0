"""`tvclient --self-test`: does this installation start and show a readable QR code?

The smoke test of CI and the installers' post-install check. In a throwaway directory it starts
the embedded demo stack (sandbox + merchant backend on loopback), runs the real app on it with an
in-memory keyring, waits for the home screen, compiles every QML screen, draws a QR code through
the app's own QR provider into the scene, grabs the window and reads the code back. Each check
prints one line; the exit code is 0 when all pass and 1 otherwise, with the reason on the line of
the check that failed.

Nothing of the user's is written: not their settings, keyring entries, demo data or QML cache
(all of them go to the temporary directory). The display is offscreen unless `QT_QPA_PLATFORM`
is already set (set it to `xcb` or `wayland` to test the real display).

Environment:
    TVCLIENT_T0: a `time.time()` taken by whoever started this process; timings count from it
        (default: the process start time the kernel recorded).
    TVCLIENT_SELFTEST_SHOTS: a directory; the home screen and the QR grab are saved there as
        `home.png` and `qr.png` (the packaging tests decode the QR with zxing-cpp).
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tvclient import __version__
from tvclient.device.memory_keyring import MemoryKeyring

if TYPE_CHECKING:
    from PySide6.QtGui import QGuiApplication, QImage
    from PySide6.QtQuick import QQuickItem, QQuickWindow

    from tvclient.app.shell import AppShell
    from tvclient.booth.stack import StackUrls

__all__ = ["SelfTestError", "run_self_test"]

_log = logging.getLogger(__name__)

HOME_TIMEOUT = 60.0
"""Seconds the home screen may take to show the store (a slow SD card, a first QML compile)."""
QR_TIMEOUT = 20.0
QR_SIZE = 480
QR_TEXT_PATH = "/wallet/authorize?session=self-test-0123456789abcdef&lang=en&source=tvclient"
"""Appended to the sandbox's wallet URL: a QR as long as a real bind session's."""


class SelfTestError(Exception):
    """One check failed; the message says what and, where it can, how to fix it."""


class _WarningCollector(logging.Handler):
    """Keeps every WARNING-or-worse record: a clean start logs none, so any is a finding."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass(slots=True)
class _Report:
    """The lines the self-test prints and whether any check failed."""

    out: TextIO | None
    """Where the lines go (None: a windowed Windows executable has no stdout)."""
    failures: list[str] = field(default_factory=list)

    def ok(self, name: str, detail: str) -> None:
        self.say(f"ok   {name:<10} {detail}")

    def fail(self, name: str, detail: str) -> None:
        self.failures.append(name)
        self.say(f"FAIL {name:<10} {detail}")

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out.write(line + "\n")
            self.out.flush()


def _process_start() -> float:
    """When this process started (epoch seconds): TVCLIENT_T0, else what the kernel recorded."""
    given = os.environ.get("TVCLIENT_T0")
    if given:
        with suppress(ValueError):
            return float(given)
    try:
        # Field 22 of /proc/self/stat is the start time in clock ticks after boot; the command
        # name (field 2) may contain spaces, so count from the closing parenthesis.
        stat = Path("/proc/self/stat").read_text(encoding="ascii")
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.time()


def _build_label() -> str:
    from tvclient.cli import build_id

    frozen = "frozen" if getattr(sys, "frozen", False) else "source tree"
    return f"tvclient {__version__}, build {build_id()} ({frozen}, Python {sys.version.split()[0]})"


def run_self_test(options: argparse.Namespace) -> int:
    """Run every check, print one line each, return 0 when all pass and 1 otherwise.

    `options` are the app's options: `--data-dir` keeps the demo stack's data there instead of
    in the throwaway directory (a second run then skips key generation), `--language` picks the
    language of the home screen (English by default).
    """
    t0 = _process_start()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    report = _Report(sys.stdout)
    root = logging.getLogger()
    if not root.handlers:  # warnings also go to stderr, in full
        logging.basicConfig(
            level=os.environ.get("TVCLIENT_LOG_LEVEL", "WARNING").upper(),
            format="%(levelname)s %(name)s: %(message)s",
        )
    collector = _WarningCollector()
    root.addHandler(collector)
    report.say(f"self-test: {_build_label()}")
    try:
        with tempfile.TemporaryDirectory(prefix="tvclient-selftest-") as scratch:
            _SelfTest(options, Path(scratch), report, t0).run()
    finally:
        root.removeHandler(collector)
    warnings = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in collector.records]
    if warnings:
        report.fail("log", f"{len(warnings)} warning(s) logged: " + " | ".join(warnings[:5]))
    else:
        report.ok("log", "no warnings logged")
    if report.failures:
        report.say(f"self-test: FAILED ({', '.join(report.failures)})")
        return 1
    report.say("self-test: passed")
    return 0


class _SelfTest:
    """The checks, in order; each failure is reported, later checks run when they still can."""

    def __init__(
        self, options: argparse.Namespace, scratch: Path, report: _Report, t0: float
    ) -> None:
        self.options = options
        self.scratch = scratch
        self.report = report
        self.t0 = t0
        self.marks: dict[str, float] = {}
        shots = os.environ.get("TVCLIENT_SELFTEST_SHOTS")
        self.shots = Path(shots) if shots else None
        self.keyring = MemoryKeyring()

    def mark(self, name: str) -> None:
        self.marks[name] = (time.time() - self.t0) * 1000

    @contextmanager
    def check(self, name: str) -> Iterator[None]:
        """Report a failure of the block as this check's FAIL line (readable message)."""
        try:
            yield
        except SelfTestError as exc:
            self.report.fail(name, str(exc))

    def run(self) -> None:
        # Hermetic: Qt's QML cache goes to the scratch dir, not ~/.cache.
        os.environ["QML_DISK_CACHE_PATH"] = str(self.scratch / "qmlcache")
        with self.check("files"):
            self.report.ok("files", _check_files())
        with self.check("i18n"):
            self.report.ok("i18n", _check_i18n())
        with self.check("gamepad"):
            self.report.ok("gamepad", _check_gamepad())
        from tvclient.booth.stack import EmbeddedStack, StackError

        data_dir = Path(self.options.data_dir) if self.options.data_dir else self.scratch / "demo"
        stack = EmbeddedStack(data_dir)
        started = time.monotonic()
        try:
            urls = stack.start()
        except (StackError, OSError) as exc:
            reason = str(exc) if isinstance(exc, StackError) else f"cannot use its data dir: {exc}"
            self.report.fail("stack", f"{reason} (data dir {data_dir})")
            return
        try:
            self.mark("stack")
            self.report.ok(
                "stack", f"sandbox and merchant backend up in {time.monotonic() - started:.2f} s"
            )
            self._run_app(urls)
        finally:
            stack.stop()
        self.mark("total")
        timings = " ".join(f"{k}_ms={v:.0f}" for k, v in self.marks.items())
        self.report.say(f"self-test timings: {timings}")

    def _run_app(self, urls: StackUrls) -> None:
        from PySide6.QtGui import QGuiApplication

        from tvclient.app.qtlog import install_qt_logging

        problem = _display_problem()
        if problem:
            self.report.fail("home", problem)
            return

        restore_logging = install_qt_logging()
        existing = QGuiApplication.instance()
        app = existing if isinstance(existing, QGuiApplication) else None
        if app is None:
            QGuiApplication.setApplicationName("tvclient")
            QGuiApplication.setOrganizationName("tvclient")
            app = QGuiApplication(sys.argv[:1])
        try:
            shell = self._home(app, urls)
            if shell is None:
                return
            try:
                with self.check("qml"):
                    self.report.ok("qml", _compile_all_qml(shell))
                with self.check("fonts"):
                    self.report.ok("fonts", _check_fonts())
                with self.check("collation"):
                    self.report.ok("collation", _check_collation())
                with self.check("keyring"):
                    if not self.keyring.items:
                        raise SelfTestError("the device enrolled but stored no credential")
                    self.report.ok("keyring", "device credential stored (in-memory keyring)")
                with self.check("qr"):
                    self.report.ok("qr", self._qr(app, shell, urls))
            finally:
                shell.close()
        finally:
            restore_logging()

    def _home(self, app: QGuiApplication, urls: StackUrls) -> AppShell | None:
        """Show the app on the stack; None (after reporting) when the home screen never shows."""
        from tvclient.app.services import AppOptions
        from tvclient.app.shell import AppShell, AppStartError
        from tvclient.cli import build_device

        services = build_device(
            urls.backend_url,
            demo=True,
            settings_path=self.scratch / "config" / "settings.json",
            keyring_backend=self.keyring,
        )
        options = AppOptions(fullscreen=False, language=self.options.language or "en")
        try:
            shell = AppShell(options, services)
        except AppStartError as exc:
            self.report.fail("home", str(exc))
            return None
        shell.window.frameSwapped.connect(self._first_frame)
        shell.show()

        def store_ready() -> bool:
            focus: QQuickItem | None = shell.window.activeFocusItem()
            while focus is not None and not focus.objectName():
                focus = focus.parentItem()
            return focus is not None and focus.objectName().startswith("tile_")

        try:
            _wait(app, store_ready, HOME_TIMEOUT, "the store's tiles to show and take the focus")
        except SelfTestError as exc:
            self.report.fail("home", f"{exc}; screen: {_screen_name(shell)}")
            shell.close()
            return None
        self.mark("home")
        tiles = _count_items(shell.window, "tile_")
        try:
            self._save(_grab(app, shell.window), "home.png")
        except SelfTestError as exc:
            self.report.fail("home", f"the home screen showed but cannot be grabbed: {exc}")
            shell.close()
            return None
        first = self.marks.get("first_frame", float("nan"))
        self.report.ok(
            "home",
            f"store with {tiles} products; first frame {first:.0f} ms, "
            f"home screen {self.marks['home']:.0f} ms after start",
        )
        return shell

    def _first_frame(self) -> None:
        self.marks.setdefault("first_frame", (time.time() - self.t0) * 1000)

    def _qr(self, app: QGuiApplication, shell: AppShell, urls: StackUrls) -> str:
        from PySide6.QtCore import QPointF, QSize
        from PySide6.QtQml import QQmlComponent
        from PySide6.QtQuick import QQuickItem

        from tvclient.app.qr import qr_image, qr_source

        text = urls.wallet_url.rstrip("/") + QR_TEXT_PATH
        component = QQmlComponent(shell.engine)
        component.setData(
            b"import QtQuick\nImage { cache: false; smooth: false; asynchronous: false }",
            shell.engine.baseUrl(),
        )
        item = component.createWithInitialProperties(
            {"source": qr_source(text), "sourceSize": QSize(QR_SIZE, QR_SIZE)}
        )
        if not isinstance(item, QQuickItem):
            errors = "; ".join(e.toString() for e in component.errors())
            raise SelfTestError(f"cannot create a QML Image: {errors or 'unknown error'}")
        try:
            item.setParentItem(shell.window.contentItem())
            item.setZ(1e6)
            item.setPosition(QPointF(40, 40))
            _wait(
                app,
                lambda: item.property("progress") == 1.0 and item.implicitWidth() > 1,
                QR_TIMEOUT,
                "the QR image",
            )
            grabbed = _grab(app, shell.window)
            self._save(grabbed, "qr.png")
            expected = qr_image(text, QR_SIZE)
            modules = _compare_modules(grabbed, expected, 40, shell.window.devicePixelRatio())
            decoded = _zxing_decode(grabbed)
        finally:
            item.setVisible(False)
            item.deleteLater()
        self.mark("qr")
        detail = f"{modules}x{modules} modules drawn exactly as the QR provider made them"
        if decoded is None:
            return detail + "; zxing-cpp not in this build, module comparison only"
        if text not in decoded:
            raise SelfTestError(f"zxing-cpp read {decoded!r}, expected {text!r}")
        return detail + "; zxing-cpp decodes the grab to the expected text"

    def _save(self, image: QImage, name: str) -> None:
        if self.shots is None:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        if not image.save(str(self.shots / name)):
            raise SelfTestError(f"cannot save {name} in {self.shots}")


# ---------------------------------------------------------------------------- checks
def _check_files() -> str:
    """The data files a bundle must carry (they are not Python, so freezing can miss them)."""
    from importlib import resources

    from tvclient.app.input.gamepad.mappings import BUNDLED_DB
    from tvclient.app.shell import QML_DIR

    missing: list[str] = []
    for module in ("Controls", "Screens"):
        if not (QML_DIR / "TvClient" / module / "qmldir").is_file():
            missing.append(f"QML module TvClient.{module}")
    i18n = resources.files("tvclient.app.i18n")
    catalogs = ("en.json", "zh-HK.json", "id.json")
    missing += [f"i18n/{name}" for name in catalogs if not i18n.joinpath(name).is_file()]
    if not BUNDLED_DB.is_file():
        missing.append(str(BUNDLED_DB.name))
    try:
        from tvclient.merchant.config import DEFAULT_CATALOG
        from tvclient.merchant.store import database
    except ImportError as exc:
        raise SelfTestError(f"the server extra is missing ({exc})") from None
    if not DEFAULT_CATALOG.is_file():
        missing.append(f"demo catalog {DEFAULT_CATALOG}")
    migrations = Path(database.__file__).with_name("migrations")
    if not any((migrations / "versions").glob("*.py")):
        missing.append(f"database migrations in {migrations}")
    if missing:
        raise SelfTestError("missing from this installation: " + ", ".join(missing))
    return "QML modules, translations, controller mappings, demo catalog, migrations"


def _check_i18n() -> str:
    """Every language has its texts, and amounts and times format in it (locale data present)."""
    import datetime as dt

    from tvclient.app.i18n import Catalog, CatalogError, Language, format_amount, format_time
    from tvclient.money import WALLET_RULES, Money

    samples: list[str] = []
    moment = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    for language in Language:
        try:
            Catalog.load(language)
        except CatalogError as exc:
            raise SelfTestError(str(exc)) from None
        for rules in WALLET_RULES.values():
            amount = Money(123400, rules.currency)
            try:
                samples.append(format_amount(amount, language))
            except (ValueError, LookupError, OSError) as exc:
                raise SelfTestError(
                    f"cannot format {amount} in {language.value} (locale data missing?): {exc}"
                ) from None
        try:
            format_time(moment, language, dt.UTC)
        except (ValueError, LookupError, OSError) as exc:
            raise SelfTestError(f"cannot format a time in {language.value}: {exc}") from None
    return f"{len(Language)} languages; e.g. {', '.join(samples[:3])}"


def _check_gamepad() -> str:
    """SDL2 loads and the bundled controller mappings parse (required in a frozen build)."""
    from tvclient.app.input.gamepad.mappings import BUNDLED_DB, parse_mapping_file
    from tvclient.app.input.gamepad.sdl import SdlUnavailableError, load_sdl

    mappings = parse_mapping_file(BUNDLED_DB)
    if not mappings.mappings:
        problems = "; ".join(mappings.problems) or "missing or empty"
        raise SelfTestError(f"no controller mappings in {BUNDLED_DB} ({problems})")
    try:
        sdl2 = load_sdl()
    except SdlUnavailableError as exc:
        if getattr(sys, "frozen", False):
            raise SelfTestError(f"this build cannot read game controllers: {exc}") from None
        return f"SDL2 not installed here (optional: pip install 'tvclient[gamepad]'): {exc}"
    version = sdl2.SDL_version()
    sdl2.SDL_GetVersion(version)
    return (
        f"SDL {version.major}.{version.minor}.{version.patch}; "
        f"{len(mappings.mappings)} bundled controller mappings"
    )


def _check_fonts() -> str:
    """Every UI language has a font that draws it (else Qt draws boxes without a word)."""
    from tvclient.app.fonts import cjk_font_available, font_family
    from tvclient.app.i18n import Language

    if not cjk_font_available():
        raise SelfTestError(
            "no font can draw Traditional Chinese; install fonts-noto-cjk or fonts-wqy-microhei"
        )
    families = {language.value: font_family(language) for language in Language}
    missing = [code for code, family in families.items() if not family]
    if missing:
        raise SelfTestError(f"no font chosen for {', '.join(missing)}; install fonts-noto-cjk")
    return ", ".join(f"{code}: {family}" for code, family in families.items())


def _check_collation() -> str:
    """Qt's collation works in English and Chinese (the Linux bundle ships a smaller ICU data)."""
    from PySide6.QtCore import QCollator, QLocale

    # Code-point order would put "B" before "a" and 三 (U+4E09) before 二 (U+4E8C); every real
    # collation (alphabetic; stroke count or pinyin) puts them the other way round.
    if QCollator(QLocale("en_US")).compare("a", "B") >= 0:
        raise SelfTestError("English collation is missing (ICU data not loaded)")
    if QCollator(QLocale("zh_HK")).compare("二", "三") >= 0:
        raise SelfTestError("Chinese collation is missing (ICU data incomplete)")
    return "English and Chinese sort orders present"


def _compile_all_qml(shell: AppShell) -> str:
    """Every type of the app's QML modules compiles: a missing Qt import shows up here."""
    from PySide6.QtQml import QQmlComponent

    from tvclient.app.shell import QML_DIR

    count = 0
    errors: list[str] = []
    for qmldir in sorted(QML_DIR.glob("TvClient/*/qmldir")):
        module, types = _qmldir_types(qmldir)
        for name in types:
            component = QQmlComponent(shell.engine)
            component.loadFromModule(module, name)
            count += 1
            if component.isError():
                errors += [f"{module}.{name}: {e.toString()}" for e in component.errors()]
    if errors:
        raise SelfTestError("QML does not compile: " + " | ".join(errors[:5]))
    return f"{count} QML types compile"


def _qmldir_types(qmldir: Path) -> tuple[str, list[str]]:
    """The module name and the non-singleton types a qmldir file declares."""
    module = ""
    types: list[str] = []
    for line in qmldir.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "module":
            module = words[1]
        elif len(words) == 3 and words[2].endswith(".qml") and words[0][:1].isupper():
            types.append(words[0])
    return module, types


def _display_problem() -> str | None:
    """Why Qt could not open the chosen display (Qt would abort the process), or None."""
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform == "xcb" and not os.environ.get("DISPLAY"):
        return "QT_QPA_PLATFORM=xcb but DISPLAY is not set (use xvfb-run, or unset it)"
    return None


# ---------------------------------------------------------------------------- Qt helpers
def _wait(app: QGuiApplication, done: Callable[[], bool], timeout: float, what: str) -> None:
    """Run Qt's event loop until `done()` (checked every 10 ms) or raise after `timeout` s."""
    from PySide6.QtCore import QEventLoop, QTimer

    if done():
        return
    loop = QEventLoop(app)
    deadline = time.monotonic() + timeout

    def poll() -> None:
        if done() or time.monotonic() > deadline:
            loop.quit()

    timer = QTimer(loop)
    timer.setInterval(10)
    timer.timeout.connect(poll)
    timer.start()
    loop.exec()
    timer.stop()
    if not done():
        raise SelfTestError(f"timed out after {timeout:.0f} s waiting for {what}")


def _grab(app: QGuiApplication, window: QQuickWindow) -> QImage:
    """The window as the next frame draws it."""
    swapped: list[bool] = []
    window.frameSwapped.connect(lambda: swapped.append(True))
    window.update()
    _wait(app, lambda: bool(swapped), 10.0, "a frame to be drawn")
    return window.grabWindow()


def _screen_name(shell: AppShell) -> str:
    """Which screen shows now (for a failure message)."""
    return str(shell.model.navigator.top.value)


def _count_items(window: QQuickWindow, prefix: str) -> int:
    """How many visible items in the scene have an objectName starting with `prefix`."""
    count = 0
    stack = [window.contentItem()]
    while stack:
        item = stack.pop()
        if item.isVisible() and item.objectName().startswith(prefix):
            count += 1
        stack.extend(item.childItems())
    return count


def _compare_modules(grabbed: QImage, expected: QImage, offset: int, ratio: float) -> int:
    """Compare the grabbed QR module by module with the provider's image; the module count.

    Each module's centre is sampled in both images (the grab may be scaled by the device pixel
    ratio), so the check reads the code as a camera would, not pixel for pixel.
    """
    from PySide6.QtGui import QImage

    exp = expected.convertToFormat(QImage.Format.Format_Grayscale8)
    got = grabbed.convertToFormat(QImage.Format.Format_Grayscale8)
    box = _module_size(exp)
    modules = exp.width() // box
    wrong = 0
    for row in range(modules):
        for col in range(modules):
            ex, ey = col * box + box // 2, row * box + box // 2
            gx, gy = int((offset + ex) * ratio), int((offset + ey) * ratio)
            if not (0 <= gx < got.width() and 0 <= gy < got.height()):
                raise SelfTestError("the QR image lies outside the window")
            if (exp.pixelColor(ex, ey).value() < 128) != (got.pixelColor(gx, gy).value() < 128):
                wrong += 1
    if wrong:
        raise SelfTestError(f"{wrong} of {modules * modules} QR modules differ on screen")
    return modules


def _module_size(image: QImage) -> int:
    """Pixels per module: the quiet zone is 4 modules wide, then the finder pattern starts."""
    from tvclient.app.qr import QUIET_ZONE

    # Along the diagonal, the first dark pixel is the top-left corner of the finder pattern.
    for x in range(min(image.width(), image.height())):
        if image.pixelColor(x, x).value() < 128:
            return max(1, x // QUIET_ZONE)
    raise SelfTestError("the QR provider drew no dark module")


def _zxing_decode(image: QImage) -> list[str] | None:
    """The QR texts zxing-cpp reads in `image`, or None when zxing-cpp is not installed."""
    if importlib.util.find_spec("zxingcpp") is None:
        return None
    import zxingcpp
    from PIL import Image
    from PySide6.QtGui import QImage

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())[: gray.bytesPerLine() * gray.height()]
    pil = Image.frombytes("L", (gray.width(), gray.height()), data, "raw", "L", gray.bytesPerLine())
    found = zxingcpp.read_barcodes(pil)
    return [str(r.text) for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]
