"""Only devices the operator allows can enrol; nothing sent to the enrolment endpoint crashes it.

Threat: enrolment is the one device API call without a credential, so anyone who can reach the
backend can call it: to mint credentials, to probe the enrolment token, or to break the
endpoint with hostile input. Defences: an enrolment token compared in constant time (or, for
the embedded demo only, loopback clients); refusals are `403 ENROLMENT_REFUSED` and create
nothing; any token value at all (JSON escapes included) is answered with a 4xx, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.profiles import fuzz
from tests.reliability.stacks import WiredStack, snapshot, wired_stack

TOKEN = "enrol-only-with-this-0123456789"


async def _enrol(
    stack: WiredStack, body: bytes, client: tuple[str, int] = ("127.0.0.1", 5000)
) -> httpx.Response:
    async with stack.client(client) as http:
        return await http.post("/v1/devices", content=body,
                               headers={"content-type": "application/json"})


@pytest.fixture
async def guarded_stack(tmp_path: Path) -> AsyncIterator[WiredStack]:
    """A backend that enrols only with the token (no loopback shortcut)."""
    async with wired_stack(tmp_path, allow_loopback_enrolment=False,
                           enrolment_token=TOKEN) as stack:
        yield stack


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN[:-1], TOKEN + "x", TOKEN.upper()])
async def test_enrolment_needs_the_exact_token(
    guarded_stack: WiredStack, token: str | None
) -> None:
    """Missing, empty or wrong token: 403 ENROLMENT_REFUSED and no device is created."""
    before = await snapshot(guarded_stack)
    body = {} if token is None else {"enrolment_token": token}
    response = await _enrol(guarded_stack, json.dumps(body).encode())
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "ENROLMENT_REFUSED"
    assert await snapshot(guarded_stack) == before
    right = await _enrol(guarded_stack, json.dumps({"enrolment_token": TOKEN}).encode())
    assert right.status_code == 201


async def test_the_loopback_shortcut_is_for_loopback_only(tmp_path: Path) -> None:
    """The demo's tokenless enrolment refuses a client that is not on this machine."""
    async with wired_stack(tmp_path, allow_loopback_enrolment=True) as stack:
        far = await _enrol(stack, b"{}", client=("203.0.113.7", 5000))
        near = await _enrol(stack, b"{}", client=("127.0.0.1", 5000))
        ipv6 = await _enrol(stack, b"{}", client=("::1", 5000))
    assert far.status_code == 403
    assert (near.status_code, ipv6.status_code) == (201, 201)


@fuzz(40)
@given(token=st.text(max_size=200) | st.sampled_from(["\ud800", "\udfff\ud800", "\x00", TOKEN
                                                       + "\ud800"]) | st.integers()
       | st.lists(st.text(max_size=5), max_size=2))
async def test_any_token_value_is_answered_without_a_crash(
    guarded_stack: WiredStack, token: object
) -> None:
    """Any JSON value as the token (lone surrogates too): a 4xx, never a 500 (found: 500)."""
    body = json.dumps({"enrolment_token": token}).encode()
    response = await _enrol(guarded_stack, body)
    assert response.status_code in (400, 403), response.text
