"""Render the app icon (`packaging/icons/tvclient.svg`) as PNG, ICO and ICNS files.

Used by the Linux builder (hicolor PNGs for the .deb and the tarball) and by the spec on Windows
(`.ico` for the .exe) and macOS (`.icns` for the .app). Qt's SVG renderer from the build venv
draws it, so no image tool has to be installed. Usage: `python packaging/icons.py OUT_DIR`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["PNG_SIZES", "SVG", "render_icons"]

SVG = Path(__file__).resolve().parent / "icons" / "tvclient.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def render_icons(out_dir: Path, svg: Path = SVG) -> dict[str, Path]:
    """Write `tvclient-<size>.png` for each size, `tvclient.ico` and `tvclient.icns`.

    Returns the written files by name (`"png256"`, `"ico"`, `"icns"`, ...).
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for size in (*PNG_SIZES, 1024):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"tvclient-{size}.png"
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
        written[f"png{size}"] = path
    del app  # keep the application alive until every image is drawn
    with Image.open(written["png256"]) as big:
        ico = out_dir / "tvclient.ico"
        big.save(ico, sizes=[(s, s) for s in (16, 32, 48, 64, 128, 256)])
        written["ico"] = ico
    with Image.open(written["png1024"]) as huge:
        icns = out_dir / "tvclient.icns"
        huge.save(icns)
        written["icns"] = icns
    written["png1024"].unlink()
    del written["png1024"]
    return written


if __name__ == "__main__":
    for name, file in render_icons(Path(sys.argv[1])).items():
        sys.stdout.write(f"{name}: {file}\n")
