"""Qt's own messages (QML errors, binding loops, missing fonts) into Python logging."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["install_qt_logging"]

Handler = Callable[[QtMsgType, QMessageLogContext, str], None] | None

_log = logging.getLogger("tvclient.qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    _log.log(_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)


def install_qt_logging() -> Callable[[], None]:
    """Send every Qt message to the `tvclient.qt` logger; returns a function that undoes it."""
    previous: Handler = qInstallMessageHandler(_handler)

    def restore() -> None:
        qInstallMessageHandler(previous)

    return restore
