import os
import subprocess
import sys

PROBE = """
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
size = app.primaryScreen().size()
print(app.platformName(), size.width(), size.height())
"""


def test_qt_xcb_connects_to_the_private_display(xvfb_server, xvfb_display):
    """A Qt process on the xcb platform opens the Xvfb display (the xcb libraries are present)."""
    assert xvfb_display.startswith(":")
    env = {**os.environ, **xvfb_server.environment()}
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["xcb", "1280", "720"]


def test_the_display_is_not_forced_on_this_process(xvfb_display):
    """Requesting the display leaves this process's DISPLAY alone (in-process Qt is offscreen)."""
    assert os.environ.get("DISPLAY") != xvfb_display
