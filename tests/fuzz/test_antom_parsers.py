"""Fuzzing the Antom message parsers: hostile bytes never escape as anything but a clear error.

`tests/antom/test_wire.py` already feeds random JSON and one-subtree corruptions to
`from_json`. This goes further, at every layer something from the network is read:

- raw bytes (`from_bytes`): byte flips, cuts, insertions, deep nesting, invalid UTF-8;
- several corruptions at once, deep in valid messages, and re-parsing what was accepted;
- the signature and time headers, and whole header sets;
- notifications through `NotificationVerifier` (unsigned, and signed over hostile bodies);
- Antom's answers as the merchant's `AntomClient` receives them (random status, headers,
  bodies, signed or not): always an outcome (S / F / U), never an exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.antom.samples import SAMPLES
from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import json_values, mutate_bytes, mutate_json
from tvclient.antom.client import AntomClient
from tvclient.antom.errors import AntomError, MessageError, SignatureError
from tvclient.antom.headers import parse_signature_header, parse_time_header
from tvclient.antom.keys import generate_private_key
from tvclient.antom.messages import request_type, response_type
from tvclient.antom.messages.authorization import AuthorizationNotification
from tvclient.antom.messages.payment import PaymentNotification
from tvclient.antom.messages.refund import RefundNotification
from tvclient.antom.notifications import NotificationVerifier
from tvclient.antom.outcomes import Failure, Success, Unknown
from tvclient.antom.paths import Api
from tvclient.antom.signing import read_request_headers, request_headers, response_headers

CLASSES = list(SAMPLES)
NOTIFICATIONS = [AuthorizationNotification, PaymentNotification, RefundNotification]
ANTOM_KEY = generate_private_key()
MERCHANT_KEY = generate_private_key()
CLIENT_ID = "SANDBOX_FUZZ_CLIENT"
NOTIFY_PATH = "/antom/notify/payment"


class _Clock:
    """A fixed clock for the client (no waiting happens in these tests)."""

    def now(self) -> dt.datetime:
        return dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)

    def monotonic(self) -> float:
        return 1000.0

    async def sleep(self, seconds: float) -> None:
        return None


def _parse_or_refuse(cls: Any, body: bytes) -> None:
    """Parse; a refusal must be MessageError, an acceptance must survive a round trip."""
    try:
        parsed = cls.from_bytes(body)
    except MessageError:
        return
    assert type(parsed).from_bytes(parsed.to_bytes()) == parsed


@fuzz(80)
@given(cls=st.sampled_from(CLASSES), data=st.data())
def test_mutated_bytes_of_valid_messages(cls: Any, data: st.DataObject) -> None:
    """Byte flips, cuts and insertions in a valid body: parsed consistently or MessageError."""
    body = json.dumps(SAMPLES[cls]).encode()
    _parse_or_refuse(cls, data.draw(mutate_bytes(body), label="body"))


@fuzz(60)
@given(cls=st.sampled_from(CLASSES), data=st.data())
def test_several_deep_corruptions_at_once(cls: Any, data: st.DataObject) -> None:
    """Up to four subtrees of a valid message replaced, renamed or removed at once."""
    document = data.draw(mutate_json(SAMPLES[cls], max_changes=4), label="document")
    try:
        body = json.dumps(document, allow_nan=True).encode()
    except (TypeError, ValueError):
        return
    _parse_or_refuse(cls, body)


@fuzz(20)
@given(cls=st.sampled_from(CLASSES), depth=st.integers(min_value=500, max_value=200_000),
       opener=st.sampled_from(["[", '{"a":']))
def test_deep_nesting_is_refused_not_a_crash(cls: Any, depth: int, opener: str) -> None:
    """JSON nested deeper than Python's recursion limit is a MessageError, not RecursionError."""
    closer = "]" if opener == "[" else "}"
    with contextlib.suppress(MessageError):
        cls.from_bytes((opener * depth + "1" + closer * depth).encode())


@fuzz(60)
@given(value=st.text(max_size=300) | (
    st.lists(st.sampled_from(["algorithm=RSA256", "keyVersion=1", "keyVersion=-1",
                              "algorithm=RSA", "signature=", "signature=%%%", "signature=AAAA",
                              "signature=" + "A" * 400, " ", "=", "keyVersion=99999999999"]),
             max_size=5).map(",".join)))
def test_signature_header_values(value: str) -> None:
    """Any Signature header value is read or refused as malformed."""
    with contextlib.suppress(SignatureError):
        parse_signature_header(value)


@fuzz(60)
@given(value=st.text(max_size=60) | st.integers().map(str)
       | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()))
def test_time_header_values(value: str) -> None:
    """Any Request-Time value is a UTC time or refused as malformed."""
    try:
        moment = parse_time_header(value)
    except SignatureError:
        return
    assert moment.tzinfo is not None


header_names = st.sampled_from(["Client-Id", "client-id", "Request-Time", "request-time",
                                "Signature", "signature", "Content-Type", "X-Other"])


@fuzz(60)
@given(headers=st.dictionaries(header_names, st.text(max_size=120), max_size=6))
def test_request_header_sets(headers: dict[str, str]) -> None:
    """Any set of headers is read into signed parts or refused as a signature problem."""
    with contextlib.suppress(SignatureError):
        read_request_headers(headers)


@fuzz(60)
@given(cls=st.sampled_from(NOTIFICATIONS), data=st.data(), signed=st.booleans())
def test_notifications_through_the_verifier(cls: Any, data: st.DataObject, signed: bool) -> None:
    """Unsigned garbage or hostile bodies signed with Antom's key: a notification or AntomError."""
    document = data.draw(mutate_json(SAMPLES[cls], max_changes=3), label="document")
    try:
        body = json.dumps(document).encode()
    except (TypeError, ValueError):
        body = b"{}"
    if data.draw(st.booleans(), label="byte-level"):
        body = data.draw(mutate_bytes(body), label="bytes")
    if signed:
        headers = request_headers(ANTOM_KEY, method="POST", path=NOTIFY_PATH,
                                  client_id=CLIENT_ID, time="1772424000000", body=body)
    else:
        headers = data.draw(st.dictionaries(header_names, st.text(max_size=80), max_size=4))
    verifier = NotificationVerifier(ANTOM_KEY.public_key(), client_id=CLIENT_ID)
    try:
        notification = verifier.verify("POST", NOTIFY_PATH, headers, body)
    except AntomError:
        return
    assert signed
    assert type(notification) in NOTIFICATIONS


def _answer(status: int, body: bytes, sign: bool, extra: dict[str, str]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = dict(extra)
        if sign:
            headers.update(response_headers(ANTOM_KEY, method="POST", path=request.url.path,
                                            client_id=CLIENT_ID, time="1772424000000",
                                            body=body))
        return httpx.Response(status, content=body, headers=headers)

    return httpx.MockTransport(handler)


@fuzz(60)
@given(api=st.sampled_from(list(Api)), data=st.data())
async def test_antom_answers_always_become_an_outcome(
    api: Api, data: st.DataObject, expect_log: None
) -> None:
    """Whatever Antom (or something posing as it) answers, the client returns S, F or U.

    Unsigned and badly signed answers are logged at WARNING on purpose (a key or a peer is
    wrong), hence `expect_log`.
    """
    response_cls = response_type(api)
    document = data.draw(
        mutate_json(SAMPLES[response_cls], max_changes=3) | json_values, label="document"
    )
    try:
        body = json.dumps(document).encode()
    except (TypeError, ValueError):
        body = b"not json"
    if data.draw(st.booleans(), label="byte-level"):
        body = data.draw(mutate_bytes(body), label="bytes")
    status = data.draw(st.sampled_from([200, 200, 200, 202, 400, 404, 500, 502, 503]))
    extra = data.draw(st.dictionaries(header_names, st.text(
        alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60), max_size=3))
    transport = _answer(status, body, data.draw(st.booleans(), label="signed"), extra)
    async with httpx.AsyncClient(transport=transport) as http:
        client = AntomClient(http, base_url="http://antom.test", client_id=CLIENT_ID,
                             private_key=MERCHANT_KEY, antom_public_key=ANTOM_KEY.public_key(),
                             clock=_Clock())
        request = request_type(api).from_json(SAMPLES[request_type(api)])
        outcome = await client.call(api, request, response_cls)
    assert isinstance(outcome, Success | Failure | Unknown)
    if status != 200:
        assert isinstance(outcome, Unknown)
