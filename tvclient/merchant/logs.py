"""Logging set-up: readable lines or one JSON object per line, never a secret in either."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys

__all__ = ["JsonFormatter", "SecretFilter", "configure_logging"]

# Device credentials and bearer headers must never reach a log, whatever a message contains.
_SECRET_PATTERNS = (
    re.compile(r"tvd_[A-Za-z0-9_-]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r'(?i)("?(?:accessToken|refreshToken|authCode|paymentMethodId)"?\s*[:=]\s*"?)[^",\s}]+'
    ),
)


def scrub(text: str) -> str:
    """The text with credentials and tokens replaced by `<redacted>`."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "<redacted>", text)
    return text


class SecretFilter(logging.Filter):
    """Scrubs secrets from every record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the message by its scrubbed form (args are merged first)."""
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message (+ exception)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as compact JSON."""
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", *, json_lines: bool = False) -> None:
    """Send the backend's logs to stderr, as text or JSON lines, with secrets scrubbed."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SecretFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiosqlite logs every statement with its parameters at DEBUG: a bind session's authCode
    # reached the log that way (found by tests/security/test_secrets.py). Its DEBUG lines
    # stay out, like the other libraries' chatter.
    for noisy in ("sqlalchemy", "alembic", "httpx", "httpcore", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
