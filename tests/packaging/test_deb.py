"""The .deb and the tarball: metadata, file list, permissions, and nothing that should not ship."""

from __future__ import annotations

import re
import shlex
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, BuiltPackages

pytestmark = pytest.mark.package

# Lists A, B and D of shared/reference/platform.md: what a fresh Debian 12 needs to run Qt Quick.
LIST_A = ("libgl1", "libegl1", "libglib2.0-0", "libfontconfig1", "libdbus-1-3", "libxkbcommon0",
          "libgssapi-krb5-2", "fontconfig-config", "fonts-dejavu-core")
LIST_B = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
          "libxcb-render-util0", "libxcb-render0", "libxcb-shape0", "libxcb-util1", "libxcb-xkb1",
          "libxkbcommon-x11-0")
CJK_FONTS = {"fonts-noto-cjk", "fonts-wqy-microhei"}
SECRET_SERVICES = {"gnome-keyring", "keepassxc"}


def _field(deb: Path, name: str) -> str:
    return subprocess.run(  # noqa: S603
        ["dpkg-deb", "--field", str(deb), name],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout.strip()


def _relations(text: str) -> list[set[str]]:
    """Each comma-separated relation as the set of its alternatives' package names."""
    return [{alt.split("(")[0].strip() for alt in rel.split("|")} for rel in text.split(",") if rel]


def _listing(deb: Path) -> list[tuple[str, str, str]]:
    """(mode string, owner/group, path without the leading ./) for every entry."""
    out = subprocess.run(  # noqa: S603
        ["dpkg-deb", "--contents", str(deb)],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout
    entries = []
    for line in out.splitlines():
        mode, owner, _size, _date, _time, path = line.split(maxsplit=5)
        entries.append((mode, owner, path.split(" -> ")[0].removeprefix("./")))
    return entries


@pytest.fixture(scope="module")
def unpacked(built_packages: BuiltPackages, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb's file tree and control files (DEBIAN/), extracted."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(  # noqa: S603
        ["dpkg-deb", "--raw-extract", str(built_packages.deb), str(root)],  # noqa: S607
        check=True,
    )
    return root


def test_control_declares_runtime_libraries_fonts_and_keyring(
    built_packages: BuiltPackages,
) -> None:
    """Depends covers Qt's libraries (lists A and B) and Chinese fonts; a keyring is recommended."""
    deb = built_packages.deb
    assert _field(deb, "Package") == "tvclient"
    assert _field(deb, "Version") == built_packages.version
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True,  # noqa: S607
    ).stdout.strip()
    assert _field(deb, "Architecture") == arch
    depends = _relations(_field(deb, "Depends"))
    plain = {next(iter(rel)) for rel in depends if len(rel) == 1}
    assert set(LIST_A) | set(LIST_B) <= plain
    assert any(rel <= CJK_FONTS and rel for rel in depends), depends
    assert re.search(r"libc6 \(>= 2\.\d+\)", _field(deb, "Depends"))
    assert any(rel & SECRET_SERVICES for rel in _relations(_field(deb, "Recommends")))
    assert int(_field(deb, "Installed-Size")) > 10_000  # KiB: the bundle is really inside


def test_file_list_installs_to_opt_with_menu_entry_and_disabled_autostart(
    built_packages: BuiltPackages, unpacked: Path,
) -> None:
    """/opt/tvclient + /usr/bin/tvclient link, menu entry, icons; autostart shipped inactive."""
    assert (unpacked / "opt/tvclient/tvclient").is_file()
    link = unpacked / "usr/bin/tvclient"
    assert link.is_symlink()
    assert str(link.readlink()) == "/opt/tvclient/tvclient"
    desktop = (unpacked / "usr/share/applications/tvclient.desktop").read_text()
    assert "\nExec=tvclient\n" in desktop
    assert "\nIcon=tvclient\n" in desktop
    assert (unpacked / "usr/share/icons/hicolor/256x256/apps/tvclient.png").is_file()
    assert (unpacked / "usr/share/icons/hicolor/scalable/apps/tvclient.svg").is_file()
    assert (unpacked / "usr/share/tvclient/autostart/tvclient.desktop").is_file()
    assert not (unpacked / "etc/xdg").exists()  # the autostart entry is not active
    assert (unpacked / "usr/share/doc/tvclient/copyright").is_file()
    # The booth's unit (disabled: nothing in *.wants) and the kiosk session it runs.
    units = sorted(p.name for p in (ROOT / "packaging/booth").glob("*.service"))
    shipped = sorted(p.name for p in (unpacked / "lib/systemd/system").glob("*.service"))
    assert shipped == units
    assert not list(unpacked.rglob("*.wants"))
    if (ROOT / "packaging/booth/tvclient-booth-session").exists():
        session = unpacked / "usr/lib/tvclient/tvclient-booth-session"
        assert session.stat().st_mode & 0o777 == 0o755
    # Whatever lives in /etc is a conffile (an operator's edits survive upgrades).
    in_etc = sorted("/" + p.relative_to(unpacked).as_posix()
                    for p in (unpacked / "etc").rglob("*") if p.is_file())
    conffiles = unpacked / "DEBIAN/conffiles"
    declared = conffiles.read_text().split() if conffiles.exists() else []
    assert in_etc == sorted(declared)


def test_nothing_that_must_not_ship(built_packages: BuiltPackages, unpacked: Path) -> None:
    """No tests, caches, VCS files, private keys or secrets; only certifi's public CA bundle.

    Compiled modules (.pyc) are the app itself (most modules ship as files for a faster start),
    but never in __pycache__ directories, which would mean a stale build cache was copied.
    """
    paths = [path for _mode, _owner, path in _listing(built_packages.deb)]
    for path in paths:
        parts = path.rstrip("/").split("/")
        name = parts[-1]
        assert not {"tests", "test", "testing", "__pycache__", ".git", ".mypy_cache",
                    ".pytest_cache", ".ruff_cache", ".hypothesis"} & set(parts), path
        assert not re.fullmatch(r"(test_.*|.*_test|conftest)\.pyc?|\.env", name), path
        if re.search(r"\.(pem|key|p12|pfx|crt|der)$|^id_(rsa|ed25519)", name):
            assert path.endswith("certifi/cacert.pem"), path
    key_block = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]{64}")
    for file in unpacked.rglob("*"):
        if file.is_file() and not file.is_symlink() and file.stat().st_size < 2_000_000:
            assert not key_block.search(file.read_bytes()), file


def test_permissions_are_sane(built_packages: BuiltPackages) -> None:
    """Everything root-owned; directories 0755, files 0644 or 0755; nothing setuid or writable."""
    for mode, owner, path in _listing(built_packages.deb):
        assert owner == "root/root", (owner, path)
        kind = mode[0]
        if kind == "d":
            assert mode == "drwxr-xr-x", (mode, path)
        elif kind == "-":
            assert mode in {"-rw-r--r--", "-rwxr-xr-x"}, (mode, path)
        else:
            assert kind == "l", (mode, path)


def test_maintainer_scripts_never_touch_user_data(unpacked: Path) -> None:
    """postinst/prerm/postrm reach no home, user config, demo data or keyring; rm only scratch."""
    scripts = {
        name: (unpacked / "DEBIAN" / name).read_text() for name in ("postinst", "prerm", "postrm")
    }
    for name, text in scripts.items():
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        for word in ("/home", "~", ".config", ".local", "keyring", "secret-tool", "/root",
                     "userdel", "dbus-send"):
            assert word not in code, (name, word)
        for command in re.findall(r"(?m)^\s*rm\s+(.*)$", code):
            assert shlex.split(command)[-1] == "$scratch", (name, command)
        assert text.startswith("#!/bin/sh\n")
        assert "\nset -e\n" in text


def test_tarball_holds_the_same_build(built_packages: BuiltPackages) -> None:
    """The portable tarball is the same bundle under tvclient-<version>/, with a README."""
    top = f"tvclient-{built_packages.version}"
    with tarfile.open(built_packages.tarball) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert f"{top}/README.txt" in members
    assert f"{top}/share/applications/tvclient.desktop" in members
    executable = members[f"{top}/tvclient"]
    assert executable.isfile()
    assert executable.mode & 0o111
    bundle = built_packages.bundle
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            member = members[f"{top}/{path.relative_to(bundle).as_posix()}"]
            assert member.size == path.stat().st_size, path
    assert all(m.uid == 0 and m.gid == 0 for m in members.values())
