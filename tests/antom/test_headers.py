import base64
import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tvclient.antom.errors import MalformedHeaderError, MissingHeaderError
from tvclient.antom.headers import (
    epoch_millis,
    format_signature_header,
    get_header,
    parse_signature_header,
    parse_time_header,
    require_header,
)

RAW = bytes(range(250, 256)) + b"\xfb\xef\xbe" * 10  # base64 of this holds '+', '/' and '='


def test_format_writes_the_sdk_form_with_form_url_encoding():
    """The header is `algorithm=RSA256,keyVersion=n,signature=` + quote_plus(base64)."""
    value = format_signature_header(b"\xfa\xfb\xfc\xfd\xfe\xff", key_version=3)
    assert value == "algorithm=RSA256,keyVersion=3,signature=%2Bvv8%2Ff7%2F"
    padded = format_signature_header(b"\xff")
    assert padded.endswith("signature=%2Fw%3D%3D")


@pytest.mark.parametrize(
    "template",
    [
        "algorithm=RSA256,keyVersion=2,signature={sig}",
        "algorithm=RSA256, keyVersion=2, signature={sig}",
        "Algorithm=rsa256 ,  KEYVERSION = 2 ,Signature={sig}",
        "keyVersion=2,algorithm=RSA256,signature={sig}",
    ],
)
def test_parse_accepts_case_spaces_and_order(template):
    """Spaces after commas, any case and any order of the parts are read alike."""
    encoded = format_signature_header(RAW).split("signature=")[1]
    header = parse_signature_header(template.format(sig=encoded))
    assert header.signature == RAW
    assert header.key_version == 2


def test_parse_reads_unencoded_base64_and_missing_key_version():
    """A raw (not URL-encoded) base64 signature and an absent keyVersion are accepted."""
    raw_b64 = base64.b64encode(RAW).decode()
    assert "+" in raw_b64
    assert "/" in raw_b64
    header = parse_signature_header(f"signature={raw_b64}")
    assert header.signature == RAW
    assert header.key_version is None


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ("algorithm=RSA256,keyVersion=1", "no signature="),
        ("algorithm=HMAC256,keyVersion=1,signature=AAAA", "unsupported"),
        ("algorithm=RSA256,keyVersion=x,signature=AAAA", "keyVersion"),
        ("algorithm=RSA256,keyVersion=1,signature=%%%", "not base64"),
        ("algorithm=RSA256,keyVersion=1,signature=", "not base64|empty"),
        ("algorithm,signature=AAAA", "name=value"),
    ],
)
def test_parse_rejects_malformed_values(value, needle):
    """Malformed Signature headers raise MalformedHeaderError saying why."""
    with pytest.raises(MalformedHeaderError, match=needle):
        parse_signature_header(value)


def test_signature_bytes_stay_out_of_repr():
    """A parsed header's repr does not show the signature."""
    header = parse_signature_header(format_signature_header(RAW))
    assert base64.b64encode(RAW).decode()[:10] not in repr(header)


def test_header_lookup_ignores_case():
    """Headers are found whatever the case of their names, in plain dicts too."""
    headers = {"client-id": "C1", "REQUEST-TIME": " 1 "}
    assert get_header(headers, "Client-Id") == "C1"
    assert require_header(headers, "request-time") == "1"
    assert get_header(headers, "Signature") is None
    with pytest.raises(MissingHeaderError, match="Signature"):
        require_header(headers, "Signature")
    with pytest.raises(MissingHeaderError):
        require_header({"Signature": "  "}, "Signature")


def test_request_time_round_trips_as_epoch_millis():
    """Request-Time is written as epoch milliseconds and read back to the same instant."""
    moment = dt.datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=dt.UTC)
    assert epoch_millis(moment) == "1700000000123"
    assert parse_time_header("1700000000123") == moment
    with pytest.raises(ValueError, match="naive"):
        epoch_millis(dt.datetime(2023, 1, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T08:00:00+00:00",
        "2024-05-01T16:00:00+08:00",
        "2024-05-01T16:00:00+0800",
        "2024-05-01T08:00:00Z",
        " 1714550400000 ",
    ],
)
def test_time_header_reads_iso_8601_and_millis(text):
    """ISO 8601 with any offset form (SDK-P, SDK-PHP) and epoch ms give the same instant."""
    assert parse_time_header(text) == dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2024-05-01T08:00:00", "yesterday", "", "1e12", "-5"])
def test_time_header_rejects_unplaceable_times(text):
    """Times without an offset or in no known form are malformed."""
    with pytest.raises(MalformedHeaderError):
        parse_time_header(text)


@given(st.text(max_size=400))
def test_random_signature_headers_raise_only_malformed_header_error(text):
    """Any header text parses or raises MalformedHeaderError; nothing else escapes."""
    with contextlib.suppress(MalformedHeaderError):
        parse_signature_header(text)


@given(st.text(max_size=60) | st.integers().map(str))
def test_random_times_raise_only_malformed_header_error(text):
    """Any time text parses to an aware UTC datetime or raises MalformedHeaderError."""
    try:
        moment = parse_time_header(text)
    except MalformedHeaderError:
        return
    assert moment.tzinfo is dt.UTC
