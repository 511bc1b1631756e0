"""Property tests: hostile requests at every API get an Antom F, never 500, no change."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tests.antom.samples import SAMPLES
from tests.sandbox.conftest import Harness
from tvclient.antom.errors import MessageError
from tvclient.antom.messages import request_type
from tvclient.antom.paths import Api
from tvclient.antom.result import Result, ResultStatus

APIS = list(Api)
PATHS = [api.live_path for api in APIS] + [api.sandbox_path for api in APIS]
HYPOTHESIS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12,
)
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80)


def _required_fields(api: Api) -> list[str]:
    """Top-level fields without which the sample body of `api` is invalid."""
    sample = SAMPLES[request_type(api)]
    required = []
    for name in sample:
        trimmed = {k: v for k, v in sample.items() if k != name}
        try:
            request_type(api).from_json(trimmed)
        except MessageError:
            required.append(name)
    return required


REQUIRED = {api: _required_fields(api) for api in APIS}


def _antom_failure(data: Any) -> Result:
    assert isinstance(data, dict)
    result = Result.from_json(data["result"])
    assert result.result_status is ResultStatus.FAILURE, result
    return result


async def _check_unchanged(h: Harness, path: str, body: bytes, **kwargs: Any) -> Result:
    before = h.sandbox.store.snapshot()
    response = await h.raw(path, body, **kwargs)
    assert response.status_code == 200, response.text
    result = _antom_failure(response.json())
    assert h.sandbox.store.snapshot() == before
    return result


async def _with_state(h: Harness) -> None:
    """Something to protect: a binding and a payment (made once per test)."""
    if not h.sandbox.store.scalar("SELECT COUNT(*) FROM payments"):
        token = (await h.bind(buyer="hk-alice"))["accessToken"]
        await h.pay(token, 100)
        await h.drain()


@HYPOTHESIS
@given(path=st.sampled_from(PATHS), body=st.binary(max_size=200),
       headers=st.dictionaries(st.sampled_from(["Client-Id", "Request-Time", "Signature",
                                                "Content-Type", "X-Other"]),
                               header_text, max_size=4))
async def test_unsigned_garbage(harness: Harness, path: str, body: bytes,
                                headers: dict[str, str]) -> None:
    """Random bytes with random (unsigned) headers are refused with an F result."""
    await _with_state(harness)
    result = await _check_unchanged(harness, path, body, headers=headers, sign=False)
    assert result.result_code in {"CLIENT_INVALID", "INVALID_SIGNATURE", "KEY_NOT_FOUND"}


@HYPOTHESIS
@given(path=st.sampled_from(PATHS), signature=header_text, time=header_text)
async def test_forged_signature_headers(harness: Harness, path: str, signature: str,
                                        time: str) -> None:
    """The right client ID with a made-up Signature or Request-Time is refused."""
    await _with_state(harness)
    body = json.dumps(SAMPLES[request_type(Api(path.split("/api", 1)[1]))]).encode()
    headers = {"Client-Id": harness.client_id, "Signature": signature, "Request-Time": time}
    result = await _check_unchanged(harness, path, body, headers=headers, sign=False)
    assert result.result_code in {"INVALID_SIGNATURE", "KEY_NOT_FOUND"}


@HYPOTHESIS
@given(path=st.sampled_from(PATHS), document=json_values)
async def test_signed_random_json(harness: Harness, path: str, document: Any) -> None:
    """A correctly signed body of random JSON is PARAM_ILLEGAL (or not JSON at all)."""
    api = Api(path.split("/api", 1)[1])
    try:
        request_type(api).from_json(document)
    except MessageError:
        pass
    else:
        assume(False)
    await _with_state(harness)
    result = await _check_unchanged(harness, path, json.dumps(document).encode())
    assert result.result_code == "PARAM_ILLEGAL"


@HYPOTHESIS
@given(api=st.sampled_from(APIS), data=st.data())
async def test_signed_broken_messages(harness: Harness, api: Api, data: st.DataObject) -> None:
    """A valid message with one required field broken is PARAM_ILLEGAL naming it."""
    body = copy.deepcopy(SAMPLES[request_type(api)])
    field = data.draw(st.sampled_from(REQUIRED[api] or list(body)), label="field")
    how = data.draw(st.sampled_from(["delete", "list", "number", "long", "enum"]), label="how")
    if how == "delete":
        del body[field]
    elif how == "list":
        body[field] = data.draw(st.lists(json_values, max_size=3))
    elif how == "number":
        body[field] = data.draw(st.floats(allow_nan=False) | st.integers())
    elif how == "long":
        body[field] = "x" * data.draw(st.integers(min_value=300, max_value=5000))
    else:
        body[field] = data.draw(st.text(min_size=1, max_size=20).map(lambda t: "Z" + t))
    try:
        request_type(api).from_json(body)
    except MessageError:
        pass
    else:
        assume(False)
    await _with_state(harness)
    path = data.draw(st.sampled_from([api.live_path, api.sandbox_path]), label="path")
    result = await _check_unchanged(harness, path, json.dumps(body).encode())
    assert result.result_code == "PARAM_ILLEGAL"
    assert field in (result.result_message or "")


@HYPOTHESIS
@given(path=st.sampled_from(PATHS), body=st.binary(min_size=1, max_size=100))
async def test_signed_non_json(harness: Harness, path: str, body: bytes) -> None:
    """Correctly signed bytes that are not JSON are MEDIA_TYPE_NOT_ACCEPTABLE."""
    try:
        json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        pass
    else:
        assume(False)
    await _with_state(harness)
    result = await _check_unchanged(harness, path, body)
    assert result.result_code == "MEDIA_TYPE_NOT_ACCEPTABLE"


@HYPOTHESIS
# No "." in the alphabet: dot segments would lead out of the prefix before the request is sent.
@given(suffix=st.text(alphabet="abcdefghijklmnopqrstuvwxyz/_-%0123456789", max_size=40),
       method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "POST"]))
@example(suffix="%0a0", method="GET")  # a newline, which Starlette's path converter stops at
async def test_odd_paths_and_methods(harness: Harness, suffix: str, method: str) -> None:
    """Any path under the API prefixes with any method answers 200 and a result."""
    for prefix in ("/ams/api/", "/ams/sandbox/api/"):
        response = await harness.raw(prefix + suffix, b"{}", method=method)
        assert response.status_code == 200
        Result.from_json(response.json()["result"])
