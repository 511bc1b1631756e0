"""Logging for the device app and the booth: one line per record on stderr, level from the env."""

from __future__ import annotations

import logging
import os

__all__ = ["configure_logging"]


def configure_logging() -> None:
    """Log at `TVCLIENT_LOG_LEVEL` (default INFO), with the libraries' chatter kept down."""
    level = os.environ.get("TVCLIENT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # One line per HTTP request is noise on a TV; failures are logged by the device core.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
