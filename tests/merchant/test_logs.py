"""Structured logs: JSON lines on request, and never a credential or token in them."""

from __future__ import annotations

import json
import logging

from tvclient.merchant.logs import JsonFormatter, SecretFilter, scrub


def test_credentials_and_tokens_are_scrubbed() -> None:
    """Device credentials, bearer headers and Antom token fields never reach the output."""
    text = scrub(
        "device tvd_abcDEF123 sent Authorization: Bearer s3cr3t.value and "
        '{"accessToken":"tok-123","authCode":"c0de"}'
    )
    for secret in ("tvd_abcDEF123", "s3cr3t.value", "tok-123", "c0de"):
        assert secret not in text
    assert text.count("<redacted>") == 4


def test_json_lines_carry_level_logger_and_scrubbed_message() -> None:
    """With JSON on, each record is one JSON object with the scrubbed message."""
    record = logging.LogRecord(
        "tvclient.merchant.x",
        logging.INFO,
        __file__,
        1,
        "bound with %s",
        ("accessToken=abc123",),
        None,
    )
    assert SecretFilter().filter(record)
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["level"] == "INFO"
    assert data["logger"] == "tvclient.merchant.x"
    assert "abc123" not in data["message"]
