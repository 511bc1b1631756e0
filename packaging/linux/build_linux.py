"""Build tvclient's Linux artefacts: the one-folder bundle, a portable tarball and a .deb.

`make package` runs this through `scripts/package` with the project's .venv:

    scripts/package [--out DIR] [--work DIR] [--naive] [--bundle-only]

Output (default `dist/`):
    tvclient/                               the PyInstaller one-folder bundle
    tvclient-<version>-linux-<machine>.tar.gz   the same bundle, portable (README.txt inside)
    tvclient_<version>_<arch>.deb           the same bundle in /opt/tvclient for Debian 12

`--naive` builds the untrimmed bundle only (the size baseline of bench/package_size.py).
The build runs on the machine it targets: PyInstaller freezes the venv's own Python and wheels,
so an arm64 package needs an arm64 build machine (docs/packaging.md).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import hashlib
import os
import platform
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
BOOTH = PACKAGING / "booth"

# Runtime libraries of the .deb. Lists A and B of shared/reference/platform.md (checked on fresh
# minimal Debian 12 installs), plus the system libraries the bundle links to now that it no
# longer carries the host's copies (tests/packaging checks that every library the bundle needs
# is in the bundle or comes with one of these).
DEPENDS_QT = (
    # A. Qt/QML runtime
    "libgl1", "libegl1", "libglib2.0-0", "libfontconfig1", "libdbus-1-3", "libxkbcommon0",
    "libgssapi-krb5-2", "fontconfig-config", "fonts-dejavu-core",
    # fc-cache: builds the system font cache at install time, so the first start does not scan
    # the CJK fonts (and `tvclient doctor` finds fontconfig)
    "fontconfig",
    # B. the xcb platform (X11 or Xvfb); libxcb-cursor0 and others are loaded at run time
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-render-util0", "libxcb-render0", "libxcb-shape0", "libxcb-util1", "libxcb-xkb1",
    "libxkbcommon-x11-0",
    # linked by the bundle's Qt platform plugins (xcb, Wayland, EGLFS)
    "libfreetype6", "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-randr0", "libxcb-shm0",
    "libxcb-sync1", "libxcb-xfixes0", "libxcb-glx0", "libwayland-client0", "libwayland-cursor0",
    "libwayland-egl1", "libdrm2", "libgbm1", "libstdc++6",
)
DEPENDS_FONTS = ("fonts-noto-cjk | fonts-wqy-microhei",)  # D. Traditional Chinese text
RECOMMENDS = ("gnome-keyring | keepassxc",)  # E. a Secret Service for the device credential
# xvfb/xauth: the app on a headless machine; cage, dbus-user-session: the demo booth's kiosk
SUGGESTS = ("xvfb", "xauth", "cage", "dbus-user-session")
UNIT_SUFFIXES = (".service", ".socket", ".timer", ".target", ".path")
DESCRIPTION = """\
Alipay Scan to Bind on the big screen
 tvclient is a full-screen Qt Quick store for smart TVs, set-top boxes, PCs and kiosks,
 driven by a TV remote or a game controller. A buyer links an AlipayHK or DANA wallet once by
 scanning a QR code with the phone; after that every purchase is one press of the remote.
 .
 With no merchant backend configured it runs a demo store on its embedded Antom sandbox.
 The package also carries the demo booth's systemd unit (disabled) and an XDG autostart entry
 (not active; see /usr/share/doc/tvclient/README.Debian)."""


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What is being built: version, the build id stamped into it, and the architecture."""

    version: str
    build_id: str
    deb_arch: str
    machine: str


def _run(
    args: list[str], *, capture: bool = False, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a build tool; BuildError (with its output when captured) if it fails or is missing."""
    try:
        return subprocess.run(  # noqa: S603 - fixed tool names and our own paths
            args, check=True, text=True, capture_output=capture, cwd=cwd
        )
    except FileNotFoundError:
        raise BuildError(f"{args[0]} is not installed (scripts/setup installs it)") from None
    except subprocess.CalledProcessError as exc:
        output = f":\n{exc.stdout}{exc.stderr}" if capture else ""
        raise BuildError(
            f"{' '.join(args[:3])}... failed with exit code {exc.returncode}{output}"
        ) from None


def source_version() -> str:
    """`tvclient.__version__` as written in the source (read, not imported: no Qt needed)."""
    tree = ast.parse((ROOT / "tvclient" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise BuildError("tvclient/__init__.py does not set __version__ to a literal")


def build_info() -> BuildInfo:
    """Version from `tvclient/__init__.py`, build id from git (commit, +dirty), today's date."""
    version = source_version()
    commit = "nogit"
    if shutil.which("git") and (ROOT / ".git").exists():
        # Read-only: --no-optional-locks keeps `git status` from refreshing the index.
        git = ["git", "--no-optional-locks", "-C", str(ROOT)]
        head = subprocess.run(  # noqa: S603
            [*git, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=False,
        )
        if head.returncode == 0:
            commit = head.stdout.strip()
            changes = subprocess.run(  # noqa: S603
                [*git, "status", "--porcelain", "--untracked-files=no"],
                capture_output=True, text=True, check=False,
            )
            if changes.stdout.strip():
                commit += "+dirty"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    machine = platform.machine()
    deb_arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    if shutil.which("dpkg"):
        deb_arch = _run(["dpkg", "--print-architecture"], capture=True).stdout.strip()
    return BuildInfo(version, f"{commit} {moment:%Y-%m-%d}", deb_arch, machine)


# ---------------------------------------------------------------------------- the bundle
def build_bundle(info: BuildInfo, out: Path, work: Path, *, naive: bool = False) -> Path:
    """Run PyInstaller on packaging/tvclient.spec; the bundle directory (`out/tvclient`)."""
    if not shutil.which("objdump"):
        raise BuildError("objdump is not installed (Debian package binutils; scripts/setup)")
    work.mkdir(parents=True, exist_ok=True)
    stamp = work / "_build.txt"
    stamp.write_text(info.build_id + "\n", encoding="utf-8")
    args = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
        "--distpath", str(out), "--workpath", str(work / "pyinstaller"),
        str(PACKAGING / "tvclient.spec"), "--", "--build-stamp", str(stamp),
    ]
    if naive:
        args.append("--naive")
    _run(args, cwd=ROOT)
    bundle = out / "tvclient"
    reported = _run([str(bundle / "tvclient"), "--version"], capture=True).stdout.strip()
    if info.build_id not in reported:
        raise BuildError(f"the bundle reports {reported!r}, expected build {info.build_id!r}")
    return bundle


def render_icons(work: Path) -> Path:
    """The app icon as PNGs (packaging/icons.py, drawn by Qt's SVG renderer)."""
    icons = work / "icons"
    _run([sys.executable, str(PACKAGING / "icons.py"), str(icons)], capture=True)
    return icons


def _install_icons(icons: Path, share: Path) -> None:
    hicolor = share / "icons" / "hicolor"
    for png in sorted(icons.glob("tvclient-*.png")):
        size = png.stem.split("-")[1]
        target = hicolor / f"{size}x{size}" / "apps" / "tvclient.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, target)
    scalable = hicolor / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PACKAGING / "icons" / "tvclient.svg", scalable / "tvclient.svg")


def _normalise_modes(tree: Path) -> None:
    """Directories and executables 0755, other files 0644 (no group/other write anywhere)."""
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        executable = path.is_dir() or bool(mode & stat.S_IXUSR)
        path.chmod(0o755 if executable else 0o644)


# ---------------------------------------------------------------------------- tarball
def make_tarball(info: BuildInfo, bundle: Path, icons: Path, out: Path, work: Path) -> Path:
    """`tvclient-<version>-linux-<machine>.tar.gz`: the bundle, desktop entry, icons, README."""
    name = f"tvclient-{info.version}"
    stage = work / "tarball"
    shutil.rmtree(stage, ignore_errors=True)
    top = stage / name
    shutil.copytree(bundle, top, symlinks=True)
    share = top / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(LINUX / "tvclient.desktop", share / "applications" / "tvclient.desktop")
    _install_icons(icons, share)
    packages = " ".join(p.split(" |")[0] for p in (*DEPENDS_QT, *DEPENDS_FONTS))
    (top / "README.txt").write_text(
        f"tvclient {info.version} (build {info.build_id}), portable Linux build ({info.machine})\n"
        "\n"
        "Run it from here:   ./tvclient            (./tvclient --help for the options)\n"
        "Check it works:     ./tvclient --self-test\n"
        "\n"
        "It needs glibc 2.34 or newer and these system libraries (Debian 12 / Ubuntu 24.04):\n"
        f"  sudo apt-get install --no-install-recommends {packages}\n"
        "and a Secret Service for the device credential (gnome-keyring or KeePassXC).\n"
        "\n"
        "Menu entry for one user (optional):\n"
        "  sed \"s|^Exec=.*|Exec=$PWD/tvclient|\" share/applications/tvclient.desktop \\\n"
        "      > ~/.local/share/applications/tvclient.desktop\n"
        "  cp -r share/icons ~/.local/share/\n",
        encoding="utf-8",
    )
    _normalise_modes(top)
    tarball = out / f"{name}-linux-{info.machine}.tar.gz"
    _run([
        "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner",
        "-czf", str(tarball), "-C", str(stage), name,
    ])
    return tarball


# ---------------------------------------------------------------------------- .deb
def booth_units() -> list[Path]:
    """The booth's systemd units (packaging/booth/, from the booth work), if any."""
    if not BOOTH.is_dir():
        return []
    return sorted(p for p in BOOTH.iterdir() if p.suffix in UNIT_SUFFIXES and p.is_file())


# The booth's kiosk files (packaging/booth/, from the booth work; docs/booth.md): where the .deb
# puts each one that exists. Only the PAM service file lives in /etc (a conffile); the options
# file is an example to copy, since the booth stays off until an operator sets it up.
BOOTH_FILES = {
    "tvclient-booth-session": "usr/lib/tvclient/tvclient-booth-session",
    "pam-tvclient-booth": "etc/pam.d/tvclient-booth",
    "booth.env": "usr/share/doc/tvclient/examples/booth.env",
}
BOOTH_EXAMPLE_DIRS = {"x11": "usr/share/doc/tvclient/examples/x11"}


def _install_booth(stage: Path, units: list[Path]) -> list[str]:
    """Copy the booth's unit(s) and kiosk files into the staging tree; the conffiles."""
    for unit in units:
        target = stage / "lib" / "systemd" / "system" / unit.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(unit, target)
    conffiles: list[str] = []
    for name, dest in BOOTH_FILES.items():
        source = BOOTH / name
        if not source.is_file():
            continue
        target = stage / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # keeps the session script's executable bit
        if dest.startswith("etc/"):
            conffiles.append("/" + dest)
    for name, dest in BOOTH_EXAMPLE_DIRS.items():
        if (BOOTH / name).is_dir():
            shutil.copytree(BOOTH / name, stage / dest)
    return conffiles


def _libc_version(bundle: Path) -> str:
    """The newest GLIBC_x.y symbol version any bundled binary needs (like dpkg-shlibdeps)."""
    newest = (2, 34)  # PySide6 6.8+ wheels are manylinux_2_34
    for path in bundle.rglob("*"):
        executable = path == bundle / "tvclient"
        if path.is_symlink() or not path.is_file() or (".so" not in path.name and not executable):
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        dump = _run(["objdump", "-p", str(path)], capture=True).stdout
        for word in dump.split():
            if word.startswith("GLIBC_2."):
                parts = word.removeprefix("GLIBC_").split(".")
                if all(p.isdigit() for p in parts):
                    newest = max(newest, (int(parts[0]), int(parts[1])))
    return f"{newest[0]}.{newest[1]}"


def make_deb(info: BuildInfo, bundle: Path, icons: Path, out: Path, work: Path) -> Path:
    """`tvclient_<version>_<arch>.deb`: /opt/tvclient, /usr/bin/tvclient, menu, units."""
    stage = work / "deb"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(bundle, stage / "opt" / "tvclient", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "tvclient").symlink_to("/opt/tvclient/tvclient")
    share = stage / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(LINUX / "tvclient.desktop", share / "applications" / "tvclient.desktop")
    (share / "tvclient" / "autostart").mkdir(parents=True)
    shutil.copyfile(
        LINUX / "tvclient-autostart.desktop", share / "tvclient" / "autostart" / "tvclient.desktop"
    )
    _install_icons(icons, share)
    doc = share / "doc" / "tvclient"
    doc.mkdir(parents=True)
    for name in ("copyright", "README.Debian"):
        shutil.copyfile(LINUX / "debian" / name, doc / name)
    units = booth_units()
    conffiles = _install_booth(stage, units)
    for name in ("booth.md", "packaging.md"):
        if (ROOT / "docs" / name).is_file():
            shutil.copyfile(ROOT / "docs" / name, doc / name)
    _normalise_modes(stage)

    control = stage / "DEBIAN"
    control.mkdir()
    unit_names = " ".join(unit.name for unit in units)
    for script in ("postinst", "prerm", "postrm"):
        text = (LINUX / "debian" / script).read_text(encoding="utf-8")
        (control / script).write_text(text.replace("@UNITS@", unit_names), encoding="utf-8")
        (control / script).chmod(0o755)
    sums: list[str] = []
    size = 0
    for path in sorted(stage.rglob("*")):
        if control in path.parents or path.is_dir():
            continue
        size += 1 if path.is_symlink() else (path.stat().st_size + 1023) // 1024
        if not path.is_symlink():
            digest = hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - dpkg's md5sums format
            sums.append(f"{digest}  {path.relative_to(stage).as_posix()}\n")
    (control / "md5sums").write_text("".join(sums), encoding="utf-8")
    (control / "md5sums").chmod(0o644)
    if conffiles:
        (control / "conffiles").write_text("".join(f"{c}\n" for c in conffiles), encoding="utf-8")
        (control / "conffiles").chmod(0o644)
    depends = (f"libc6 (>= {_libc_version(bundle)})", *DEPENDS_QT, *DEPENDS_FONTS)
    fields = {
        "Package": "tvclient",
        "Version": info.version,
        "Architecture": info.deb_arch,
        "Maintainer": "tvclient developers <tvclient@example.invalid>",
        "Installed-Size": str(size),
        "Depends": ", ".join(depends),
        "Recommends": ", ".join(RECOMMENDS),
        "Suggests": ", ".join(SUGGESTS),
        "Section": "video",
        "Priority": "optional",
        "Description": DESCRIPTION,
    }
    (control / "control").write_text(
        "".join(f"{key}: {value}\n" for key, value in fields.items()), encoding="utf-8"
    )
    (control / "control").chmod(0o644)
    deb = out / f"tvclient_{info.version}_{info.deb_arch}.deb"
    _run(["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(stage), str(deb)],
         capture=True)
    return deb


# ---------------------------------------------------------------------------- command line
def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) / 1e6


def main(argv: list[str] | None = None) -> int:
    """Build what the options ask for; print one line per artefact; 0 on success."""
    parser = argparse.ArgumentParser(prog="scripts/package", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output directory")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "package",
                        help="scratch directory (PyInstaller's work files, staging trees)")
    parser.add_argument("--naive", action="store_true",
                        help="untrimmed bundle only (size baseline for bench/package_size.py)")
    parser.add_argument("--bundle-only", action="store_true", help="no tarball and no .deb")
    options = parser.parse_args(argv)
    out: Path = options.out.resolve()
    work: Path = options.work.resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        info = build_info()
        bundle = build_bundle(info, out, work, naive=options.naive)
        lines = [f"bundle   {bundle}  ({_size_mb(bundle):.0f} MB unpacked)"]
        if not (options.naive or options.bundle_only):
            icons = render_icons(work)
            tarball = make_tarball(info, bundle, icons, out, work)
            lines.append(f"tarball  {tarball}  ({_size_mb(tarball):.0f} MB)")
            if not shutil.which("dpkg-deb"):
                raise BuildError("dpkg-deb is not installed: the .deb needs a Debian system")
            deb = make_deb(info, bundle, icons, out, work)
            lines.append(f"deb      {deb}  ({_size_mb(deb):.0f} MB)")
    except BuildError as exc:
        sys.stderr.write(f"scripts/package: {exc}\n")
        return 1
    sys.stdout.write(f"tvclient {info.version}, build {info.build_id}\n")
    sys.stdout.write("".join(f"  {line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
