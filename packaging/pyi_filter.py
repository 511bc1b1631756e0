"""What the tvclient bundle leaves out: rules over PyInstaller's lists of collected files.

PyInstaller's PySide6 hooks collect every QML module, Qt plugin and Qt translation of the wheel,
and on Linux it also copies the host's GTK, X11, GLib and fontconfig libraries. The app uses a
small part of that. `packaging/tvclient.spec` runs the Analysis, then keeps only what these rules
allow:

- Python modules the app never imports (`EXCLUDED_MODULES`; libCEC's `cec` is GPL and must never
  be bundled; psycopg is for PostgreSQL backends, which devices do not run);
- QML modules the app's QML does not import (found by Qt's own qmlimportscanner);
- Qt plugins other than the display platforms, GL integrations and JPEG (`QT_PLUGINS`);
- Qt's translations (the app translates itself from JSON catalogs);
- babel's locale data other than the app's languages (root, en*, zh*, id*);
- on Linux, shared libraries nothing in the bundle links to any more, and the host's system
  libraries that only Qt uses (the .deb declares them as dependencies instead; they must match
  the machine's GPU driver and X server anyway). Python's own libraries (OpenSSL, SQLite, libffi)
  stay bundled so the tarball works with any system Python or none.

Every rule is a pure function of a TOC entry `(dest, source, typecode)`, so the spec stays short
and `tests/packaging/` can check the result on the built bundle.
"""

from __future__ import annotations

import json
import posixpath
import struct
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

__all__ = [
    "BABEL_LANGUAGES",
    "EXCLUDED_MODULES",
    "QT_PLUGINS",
    "Entry",
    "Trimmer",
    "drop_dangling_symlinks",
    "elf_needed",
    "prune_linux_libraries",
    "scan_qml_modules",
]

Entry = tuple[str, str, str]
"""A PyInstaller TOC entry: (path in the bundle, source path, typecode)."""

EXCLUDED_MODULES: tuple[str, ...] = (
    # GPL (libCEC's Python binding): never bundled; kernel CEC needs no library.
    "cec",
    # PostgreSQL engine: a device's embedded backend runs on SQLite only.
    # (SQLAlchemy's and Alembic's PostgreSQL dialect modules stay: they import the driver only
    # when an engine is created, and Alembic imports every dialect module.)
    "psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool", "psycopg2",
    # Optional speed-ups and extras the device does not use (uvicorn falls back to asyncio;
    # the embedded stack runs its own loop anyway).
    "uvloop", "yaml", "watchfiles", "websockets", "wsproto", "dotenv",
    # httpx's command-line client (`httpx` CLI) and what only it uses.
    "httpx._main", "rich", "pygments", "markdown_it", "mdurl",
    # Test and development tools that may be installed in the build venv.
    "pytest", "_pytest", "pytestqt", "hypothesis", "zxingcpp", "playwright", "schemathesis",
    "mypy", "ruff", "IPython", "setuptools", "pip", "pkg_resources", "PyInstaller",
    # Standard library parts nothing uses.
    "tkinter", "_tkinter", "turtle", "turtledemo", "idlelib", "lib2to3", "pydoc_data",
    "unittest", "doctest", "xmlrpc", "curses", "readline", "dbm",
    # Pillow codecs the QR code never needs (it only builds a grey image in memory).
    "PIL._avif", "PIL._webp", "PIL._imagingtk", "PIL._imagingcms", "PIL._imagingft",
    "PIL.ImageTk", "PIL.ImageQt", "PIL._tkinter_finder",
    # Qt modules the app does not import (it uses QtCore, QtGui, QtQml, QtQuick; QtNetwork and
    # QtOpenGL come with QtQuick).
    "PySide6.QtWidgets", "PySide6.QtDBus", "PySide6.QtTest", "PySide6.QtSvg", "PySide6.QtSql",
    "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtPrintSupport", "PySide6.QtOpenGLWidgets",
    "PySide6.QtUiTools", "PySide6.QtHelp", "PySide6.QtDesigner", "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2", "PySide6.QtSvgWidgets",
    "PySide6.QtStateMachine", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts",
    "PySide6.QtQuick3D", "PySide6.Qt3DCore", "PySide6.QtMultimedia", "PySide6.QtWebEngineCore",
)

QT_PLUGINS: dict[str, dict[str, tuple[str, ...]]] = {
    # Display: X11 (xcb), Wayland (kiosk compositors such as cage have no X server), EGLFS (a
    # TV box booting straight into the app, no compositor) and offscreen (self-test, CI).
    "linux": {
        "platforms": ("libqxcb", "libqwayland", "libqeglfs", "libqoffscreen"),
        "xcbglintegrations": ("libqxcb-glx-integration", "libqxcb-egl-integration"),
        "egldeviceintegrations": (
            "libqeglfs-kms-integration", "libqeglfs-kms-egldevice-integration",
        ),
        "wayland-shell-integration": ("libxdg-shell", "libfullscreen-shell-v1"),
        "wayland-decoration-client": ("libbradient",),
        "wayland-graphics-integration-client": ("libqt-plugin-wayland-egl",),
        # A real merchant's catalog pictures may be JPEG (PNG is built into QtGui).
        "imageformats": ("libqjpeg",),
    },
    "win32": {
        "platforms": ("qwindows", "qoffscreen"),
        "imageformats": ("qjpeg",),
    },
    "darwin": {
        "platforms": ("libqcocoa", "libqoffscreen"),
        "imageformats": ("libqjpeg",),
    },
}

BABEL_LANGUAGES = frozenset({"root", "en", "zh", "id"})
"""babel locale data kept: the app's languages in every region (Locale.parse falls back)."""

# Extra QML modules kept even when the scanner does not list them (imported by Qt itself).
_QML_ALWAYS = frozenset({"", "QtQml", "QtQuick", "QtQuick/Window"})
# Only the SDL2 core library of pysdl2-dll is used (no SDL_image/mixer/ttf/gfx or their codecs).
_SDL_LIBRARIES = ("libSDL2-2.0.so", "SDL2.dll", "libSDL2-2.0.dylib", "libSDL2.dylib")
# Bundled copies of these break the system's GL driver (Mesa needs the newest libstdc++).
_NEVER_BUNDLED = frozenset({"libstdc++.so.6", "libgcc_s.so.1"})
_SYSTEM_PREFIXES = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/")


def _platform_key(platform: str) -> str:
    if platform.startswith("linux"):
        return "linux"
    if platform in {"win32", "cygwin"}:
        return "win32"
    return "darwin"


def _qt_part(dest: str) -> tuple[str, PurePosixPath] | None:
    """("plugins" | "qml" | "translations" | "lib", rest) for a file of the Qt tree."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if len(parts) < 3 or parts[0] != "PySide6":
        return None
    rest = parts[1:]
    if rest[0] == "Qt":  # Linux and macOS wheels; Windows wheels have no Qt/ level
        rest = rest[1:]
    if len(rest) < 2 or rest[0] not in {"plugins", "qml", "translations", "lib"}:
        return None
    return rest[0], PurePosixPath(*rest[1:])


def scan_qml_modules(
    qml_dirs: Sequence[Path], qt_qml_dir: Path, scanner: Path
) -> frozenset[str]:
    """The Qt QML modules the app's QML imports, directly or not, as paths under `qt_qml_dir`.

    Runs Qt's qmlimportscanner (what pyside6-deploy and Qt's CMake use) over each of the app's
    QML trees (the device app's and the booth's).
    """
    found: set[str] = set(_QML_ALWAYS)
    root = qt_qml_dir.resolve()
    import_paths = [arg for d in (qt_qml_dir, *qml_dirs) for arg in ("-importPath", str(d))]
    for qml_dir in qml_dirs:
        result = subprocess.run(  # noqa: S603 - Qt's own tool from the build venv
            [str(scanner), "-rootPath", str(qml_dir), *import_paths],
            capture_output=True, text=True, check=True, timeout=120,
        )
        for entry in json.loads(result.stdout):
            path = entry.get("path")
            if entry.get("type") != "module" or not path:
                continue
            resolved = Path(path).resolve()
            if resolved.is_relative_to(root):
                found.add(resolved.relative_to(root).as_posix())
    return frozenset(found)


@dataclass(slots=True)
class Trimmer:
    """Decides, entry by entry, what stays in the bundle.

    Args:
        platform: `sys.platform` of the build.
        qml_modules: QML module directories to keep, relative to Qt's `qml/` directory.
    """

    platform: str
    qml_modules: frozenset[str]
    dropped: list[Entry] = field(default_factory=list)
    _module_of: dict[str, str] = field(default_factory=dict)

    def filter(self, entries: Iterable[Entry]) -> list[Entry]:
        """The entries to keep (the others are added to `dropped`)."""
        kept: list[Entry] = []
        for entry in entries:
            if self.keep(entry):
                kept.append(entry)
            else:
                self.dropped.append(entry)
        return kept

    def keep(self, entry: Entry) -> bool:
        """Whether one collected file belongs in the bundle."""
        dest = entry[0].replace("\\", "/")
        qt = _qt_part(dest)
        if qt is not None:
            return self._keep_qt(entry[1], *qt)
        parts = dest.split("/")
        if parts[:2] == ["babel", "locale-data"] and dest.endswith(".dat"):
            return parts[-1].removesuffix(".dat").split("_")[0] in BABEL_LANGUAGES
        if parts[:2] == ["sdl2dll", "dll"]:
            return self.keep_sdl(dest)
        return not any(part == "__pycache__" for part in parts)

    def _keep_qt(self, source: str, kind: str, rest: PurePosixPath) -> bool:
        if kind == "translations":
            return False
        if kind == "plugins":
            return self._keep_plugin(rest)
        if kind == "qml":
            return self._qml_module(source, rest) in self.qml_modules
        return True  # lib/: what nothing needs goes later, by prune_linux_libraries

    @staticmethod
    def keep_sdl(dest: str) -> bool:
        """Whether a file of pysdl2-dll is the SDL2 core library (the only one used)."""
        return PurePosixPath(dest.replace("\\", "/")).name in _SDL_LIBRARIES

    def _keep_plugin(self, rest: PurePosixPath) -> bool:
        if len(rest.parts) != 2:
            return False
        category, filename = rest.parts
        allowed = QT_PLUGINS[_platform_key(self.platform)].get(category, ())
        stem = filename.split(".")[0]
        return stem in allowed

    def _qml_module(self, source: str, rest: PurePosixPath) -> str:
        """The module directory (nearest folder with a qmldir) of a file under qml/."""
        folder = rest.parent
        key = folder.as_posix()
        if key in self._module_of:
            return self._module_of[key]
        qml_root = Path(source).resolve().parents[len(rest.parts) - 1]
        module = ""
        for candidate in (folder, *folder.parents):
            if candidate.as_posix() != "." and (qml_root / candidate / "qmldir").is_file():
                module = candidate.as_posix()
                break
        self._module_of[key] = module
        return module


def drop_dangling_symlinks(
    binaries: Sequence[Entry], datas: Sequence[Entry]
) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """(binaries, datas, dropped): remove symlink entries whose target is no longer bundled.

    PyInstaller records the top-level links to Qt's libraries (`libQt6Core.so.6 ->
    PySide6/Qt/lib/libQt6Core.so.6`) as SYMLINK entries among the data files.
    """
    files = {e[0].replace("\\", "/") for e in (*binaries, *datas) if e[2] != "SYMLINK"}

    def ok(entry: Entry) -> bool:
        if entry[2] != "SYMLINK":
            return True
        link = PurePosixPath(entry[0].replace("\\", "/"))
        target = posixpath.normpath((link.parent / entry[1].replace("\\", "/")).as_posix())
        return target in files

    dropped = [e for e in (*binaries, *datas) if not ok(e)]
    return [e for e in binaries if ok(e)], [e for e in datas if ok(e)], dropped


# ---------------------------------------------------------------------------- Linux libraries
def elf_needed(path: Path) -> list[str]:
    """The DT_NEEDED names of a 64-bit little-endian ELF file ([] for anything else)."""
    with path.open("rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:
            return []
        shoff, = struct.unpack_from("<Q", header, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", header, 0x3A)
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        sections = [
            struct.unpack_from("<IIQQQQIIQQ", table, i * shentsize) for i in range(shnum)
        ]
        for section in sections:
            if section[1] != 6:  # SHT_DYNAMIC
                continue
            strtab = sections[section[6]]
            f.seek(section[4])
            dynamic = f.read(section[5])
            f.seek(strtab[4])
            strings = f.read(strtab[5])
            names: list[str] = []
            for offset in range(0, len(dynamic) - 15, 16):
                tag, value = struct.unpack_from("<qQ", dynamic, offset)
                if tag == 0:
                    break
                if tag == 1:  # DT_NEEDED
                    end = strings.index(b"\0", value)
                    names.append(strings[value:end].decode())
            return names
    return []


def _is_python_side(dest: str) -> bool:
    first = dest.split("/", 1)[0]
    return first not in {"PySide6", "shiboken6"}


def prune_linux_libraries(binaries: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
    """(kept, dropped): drop libraries nothing links to and system libraries only Qt uses.

    Roots are the Python extension modules, libpython, Qt's plugins and QML plugins, and
    pysdl2-dll's SDL2 (loaded with ctypes). A bundled library survives when a root needs it,
    directly or not; one copied from the host (/lib, /usr/lib) survives only when Python's side
    needs it, since the system provides the rest (declared as .deb dependencies).
    """
    by_name: dict[str, Entry] = {}
    for entry in binaries:
        if entry[2] != "SYMLINK":
            by_name.setdefault(PurePosixPath(entry[0]).name, entry)
    for entry in binaries:  # symlinks among the binaries: known by the link's name too
        if entry[2] == "SYMLINK":
            target = next((e for e in binaries if e[0] == entry[1] and e[2] != "SYMLINK"), None)
            if target is not None:
                by_name.setdefault(PurePosixPath(entry[0]).name, target)

    def is_root(entry: Entry) -> bool:
        dest = entry[0]
        name = PurePosixPath(dest).name
        qt = _qt_part(dest)
        return (
            entry[2] == "EXTENSION"
            or name.startswith("libpython")
            or dest.startswith("sdl2dll/")
            or (qt is not None and qt[0] in {"plugins", "qml"})
        )

    needed_cache: dict[str, list[str]] = {}

    def needed(entry: Entry) -> list[str]:
        if entry[1] not in needed_cache:
            needed_cache[entry[1]] = elf_needed(Path(entry[1]))
        return needed_cache[entry[1]]

    def closure(roots: Iterable[Entry]) -> set[str]:
        seen: set[str] = set()
        todo = [e for e in roots if e[2] != "SYMLINK"]
        while todo:
            entry = todo.pop()
            if entry[0] in seen:
                continue
            seen.add(entry[0])
            for name in needed(entry):
                dep = by_name.get(name)
                if dep is not None and dep[0] not in seen:
                    todo.append(dep)
        return seen

    roots = [e for e in binaries if is_root(e)]
    reachable = closure(roots)
    python_side = closure(e for e in roots if _is_python_side(e[0]))

    def keep(entry: Entry) -> bool:
        dest, source, kind = entry
        name = PurePosixPath(dest).name
        if name in _NEVER_BUNDLED:
            return False
        if kind == "SYMLINK":
            target = by_name.get(name)
            return target is not None and keep(target)
        if dest not in reachable:
            return False
        return not (source.startswith(_SYSTEM_PREFIXES) and dest not in python_side)

    kept = [e for e in binaries if keep(e)]
    dropped = [e for e in binaries if not keep(e)]
    return kept, dropped
