"""The PyInstaller bundle: it starts, passes its self-test and carries only what the app uses."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.packaging.conftest import BuiltPackages, clean_env

pytestmark = pytest.mark.package


def _files(bundle: Path) -> list[str]:
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if not p.is_dir())


def test_frozen_app_passes_its_self_test(built_packages: BuiltPackages, tmp_path: Path) -> None:
    """CI's smoke test: the built bundle starts its demo stack, shows the store, draws a QR."""
    shots = tmp_path / "shots"
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(  # noqa: S603 - the bundle we just built
        [str(built_packages.bundle / "tvclient"), "--self-test"],
        capture_output=True, text=True, timeout=180, check=False,
        env=clean_env(HOME=str(home), TVCLIENT_SELFTEST_SHOTS=str(shots)), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(frozen," in result.stdout.splitlines()[0]
    assert result.stdout.splitlines()[-1] == "self-test: passed"
    # zxing-cpp is not in the bundle; decode the frozen app's own grab here.
    with Image.open(shots / "qr.png") as shot:
        texts = [r.text for r in zxingcpp.read_barcodes(shot.convert("L"))]
    assert len(texts) == 1
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/wallet/authorize\?session=self-test-.*", texts[0])
    assert list(home.iterdir()) == []


def test_frozen_version_names_the_build(built_packages: BuiltPackages) -> None:
    """`tvclient --version` of a packaged build reports the version and the stamped build id."""
    result = subprocess.run(  # noqa: S603
        [str(built_packages.bundle / "tvclient"), "--version"],
        capture_output=True, text=True, timeout=60, check=True, env=clean_env(),
    )
    assert result.stdout.strip() == (
        f"tvclient {built_packages.version} (build {built_packages.build_id})"
    )
    stamp = r"([0-9a-f]{12}(\+dirty)?|nogit) \d{4}-\d{2}-\d{2}"
    assert re.fullmatch(stamp, built_packages.build_id)


def test_bundle_leaves_out_what_the_app_does_not_use(built_packages: BuiltPackages) -> None:
    """No unused Qt modules, styles, plugins or translations; no GPL libCEC, no test tools."""
    files = _files(built_packages.bundle / "_internal")
    joined = "\n".join(files)
    qt = "PySide6/Qt/"
    for unused in ("Qt63D", "Qt6Quick3D", "Qt6Pdf", "Qt6Charts", "Qt6Widgets", "Qt6Designer",
                   "Qt6Test", "Qt6QuickTest", "Qt6WaylandCompositor", "Qt6Labs", "Qt6Sql"):
        assert f"lib{unused}" not in joined, unused
    qml_modules = {f.split("/")[3] for f in files if f.startswith(qt + "qml/") and f.count("/") > 3}
    assert qml_modules <= {"QtQml", "QtQuick"}, qml_modules
    styles = {f.split("/")[5] for f in files if f.startswith(qt + "qml/QtQuick/Controls/")
              and f.count("/") > 5}
    assert styles <= {"Basic", "impl"}, styles  # the one style the app imports
    assert not [f for f in files if f.startswith(qt + "translations/")]
    plugins = {"/".join(f.split("/")[3:5]) for f in files if f.startswith(qt + "plugins/")}
    assert {"platforms/libqxcb.so", "platforms/libqoffscreen.so"} <= plugins
    assert not {p for p in plugins if p.split("/")[0] in {
        "designer", "qmltooling", "platformthemes", "sqldrivers", "printsupport", "tls",
        "networkinformation", "iconengines", "platforminputcontexts", "generic"}}
    imageformats = {p for p in plugins if p.startswith("imageformats/")}
    assert imageformats == {"imageformats/libqjpeg.so"}
    for banned in ("cec", "psycopg", "psycopg_binary", "zxingcpp", "pytest", "_pytest",
                   "hypothesis", "playwright", "uvloop", "yaml", "tkinter"):
        assert not [f for f in files if f.split("/")[0] in {banned, f"{banned}.libs"}], banned
    # libCEC (GPL) and its `cec` binding; tvclient's own wrapper module may ship, it finds none.
    assert not [f for f in files if re.search(r"(^|/)libcec\.so|^_?cec(/|\.)|libgtk|libgdk", f)]


def test_bundle_keeps_the_app_data(built_packages: BuiltPackages) -> None:
    """QML, translations, controller mappings, migrations, demo catalog and build id are inside."""
    internal = built_packages.bundle / "_internal"
    for needed in (
        "tvclient/app/qml/TvClient/Screens/Main.qml",
        "tvclient/app/qml/TvClient/Controls/qmldir",
        "tvclient/app/i18n/zh-HK.json",
        "tvclient/app/input/gamepad/gamecontrollerdb.txt",
        "tvclient/merchant/store/migrations/env.py",
        "tvclient/merchant/demo_catalog/catalog.json",
        "tvclient/merchant/demo_catalog/movie-night.png",
        "tvclient/_build.txt",
        "sdl2dll/dll/libSDL2-2.0.so",
    ):
        assert (internal / needed).is_file(), needed


def _needed(path: Path) -> list[str]:
    dump = subprocess.run(  # noqa: S603
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True,  # noqa: S607
    ).stdout
    return re.findall(r"^\s+NEEDED\s+(\S+)$", dump, re.MULTILINE)


def _system_libraries() -> dict[str, str]:
    listing = subprocess.run(
        ["/sbin/ldconfig", "-p"], capture_output=True, text=True, check=True,
    ).stdout
    found: dict[str, str] = {}
    for match in re.finditer(r"^\s+(\S+) \(([^)]*)\) => (\S+)$", listing, re.MULTILINE):
        if "x86-64" in match.group(2) or "AArch64" in match.group(2):
            found.setdefault(match.group(1), match.group(3))
    return found


def _package_of(path: str) -> str:
    candidates = [path, "/usr" + path, str(Path(path).resolve())]
    for candidate in candidates:
        result = subprocess.run(  # noqa: S603
            ["dpkg", "-S", candidate], capture_output=True, text=True, check=False,  # noqa: S607
        )
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    return f"(no package owns {path})"


def _closure(packages: list[str]) -> set[str]:
    out = subprocess.run(  # noqa: S603
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",  # noqa: S607
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages],
        capture_output=True, text=True, check=True,
    ).stdout
    return {line.strip().split(":")[0] for line in out.splitlines() if not line.startswith(" ")}


def test_every_library_the_bundle_needs_is_bundled_or_a_declared_dependency(
    built_packages: BuiltPackages, tmp_path: Path,
) -> None:
    """What a bundled binary links to is in the bundle or comes with the .deb's dependencies."""
    bundle = built_packages.bundle
    bundled = {p.name for p in bundle.rglob("*") if ".so" in p.name}
    wanted: dict[str, str] = {}
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file() or ".so" not in path.name:
            continue
        for name in _needed(path):
            if name not in bundled:
                wanted.setdefault(name, path.relative_to(bundle).as_posix())
    system = _system_libraries()
    missing = sorted(name for name in wanted if name not in system)
    assert not missing, f"not on this machine either: {missing}"
    control = subprocess.run(  # noqa: S603
        ["dpkg-deb", "--field", str(built_packages.deb), "Depends"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout
    declared = [alt.split("(")[0].strip() for dep in control.split(",") for alt in dep.split("|")]
    allowed = _closure(declared)
    undeclared = {
        name: (_package_of(system[name]), wanted[name]) for name in wanted
        if _package_of(system[name]) not in allowed
    }
    assert not undeclared, f"libraries from packages the .deb does not depend on: {undeclared}"


def test_one_version_everywhere(built_packages: BuiltPackages) -> None:
    """The source, the installed metadata and the build all carry `tvclient.__version__`."""
    from importlib.metadata import version

    import tvclient

    assert version("tvclient") == tvclient.__version__
    assert built_packages.version == tvclient.__version__
