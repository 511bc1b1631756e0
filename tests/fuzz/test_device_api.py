"""Fuzzing the device API: any request, from any device or none, never gets a 5xx.

Requests are drawn over every route and method, with this device's ids, another device's ids
and junk in the path; valid, foreign, garbled or missing credentials; random `wait`, `limit`,
`before` and `binding` parameters; random idempotency keys, content types and languages; and
bodies that are random bytes, random JSON or valid bodies with hostile values. Properties:

- the status is never 5xx;
- an error on a device API route carries the error envelope with a documented code;
- a refused request (4xx) changes nothing in the ledger. The one refusal that does change a
  row is `SLOW_DOWN`, which lengthens that session's interval for good (RFC 8628).

Long-polls sleep on the fake clock, so each request runs while the test moves the clock.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.profiles import fuzz
from tests.fuzz.strategies import json_values, mutate_json, nasty_text
from tests.reliability.stacks import World, snapshot

CODES = {
    "VALIDATION_ERROR", "SLOW_DOWN", "UNAUTHENTICATED", "ENROLMENT_REFUSED", "NOT_FOUND",
    "IDEMPOTENCY_KEY_REUSED", "PRICE_CHANGED", "BINDING_REVOKED", "BINDING_EXPIRED",
    "CURRENCY_MISMATCH", "BODY_TOO_LARGE", "RATE_LIMITED", "BACKEND_UNAVAILABLE",
}
ROUTES = [
    ("/v1/devices", ["POST"]),
    ("/v1/catalog", ["GET"]),
    ("/v1/bind-sessions", ["POST"]),
    ("/v1/bind-sessions/{session}", ["GET", "DELETE"]),
    ("/v1/bindings/{binding}", ["GET", "DELETE"]),
    ("/v1/purchases", ["POST", "GET"]),
    ("/v1/purchases/{purchase}", ["GET"]),
    ("/v1/catalog/images/{name}", ["GET"]),
]
BODIES: dict[str, dict[str, Any]] = {
    "/v1/devices": {"enrolment_token": "t", "name": "TV", "platform": "linux", "app_version": "1"},
    "/v1/bind-sessions": {"wallet": "ALIPAY_HK"},
    "/v1/purchases": {"binding": "{binding}", "product_id": "movie-night",
                      "amount": {"currency": "HKD", "value": 3800}},
}
junk = nasty_text | st.sampled_from(["..", "%2e%2e", "a/b", "bnd_" + "x" * 70, " ", "é"])


@st.composite
def requests(draw: st.DrawFn, world: World) -> tuple[str, str, dict[str, str], bytes | None]:
    """One request: method, URL (path and query), headers, body."""
    template, methods = draw(st.sampled_from(ROUTES))
    method = draw(st.sampled_from([*methods, *methods, "PUT", "PATCH", "HEAD"]))
    ids = {
        "session": [world.session],
        "binding": [world.binding, world.revoked, world.b_binding],
        "purchase": [world.purchase, world.refunded, world.b_purchase],
        "name": ["movie-night.png", "../catalog.json"],
    }
    path = template
    for name, known in ids.items():
        if "{" + name + "}" in path:
            value = draw(st.sampled_from(known) | junk.filter(bool).map(
                lambda v: quote(v.encode("utf-8", "surrogatepass"), safe="")))
            path = path.replace("{" + name + "}", value)
    query = draw(st.dictionaries(
        st.sampled_from(["wait", "limit", "before", "binding", "x"]),
        st.sampled_from(["1", "2", "25", "26", "0", "-1", "abc", "", "9" * 30, world.binding,
                         world.b_binding]) | nasty_text, max_size=3))
    auth = draw(st.sampled_from(["a", "b", "none", "junk", "scheme"]))
    headers: dict[str, str] = {}
    if auth in ("a", "b"):
        headers.update(world.a if auth == "a" else world.b)
    elif auth == "junk":
        headers["Authorization"] = "Bearer " + draw(st.text(
            alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=300))
    elif auth == "scheme":
        headers["Authorization"] = "Basic dXNlcjpwYXNz"
    if draw(st.booleans()):
        headers["Idempotency-Key"] = draw(st.sampled_from(["k-1", "world-paid", "a" * 65, ""])
                                          | st.text(alphabet=st.characters(
                                              min_codepoint=32, max_codepoint=126), max_size=70))
    if draw(st.booleans()):
        headers["Content-Type"] = draw(st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded", "x/y"]))
    if draw(st.booleans()):
        headers["Accept-Language"] = draw(st.sampled_from(["zh-HK", "id;q=0.5,en", "*", "q=x"]))
    kind = draw(st.sampled_from(["none", "bytes", "json", "valid", "mutated"]))
    body: bytes | None = None
    base = json.loads(json.dumps(BODIES.get(template, {"wallet": "DANA"})).replace(
        "{binding}", world.binding))
    if kind == "bytes":
        body = draw(st.binary(max_size=300))
    elif kind == "json":
        body = json.dumps(draw(json_values)).encode()
    elif kind == "valid":
        body = json.dumps(base).encode()
    elif kind == "mutated":
        body = json.dumps(draw(mutate_json(base, max_changes=3))).encode()
    url = path + ("?" + urlencode(query, errors="surrogatepass") if query else "")
    return method, url, headers, body


async def _send(world: World, method: str, url: str, headers: dict[str, str],
                body: bytes | None) -> httpx.Response:
    """Send while moving the fake clock, so long-polls come back."""
    call = asyncio.ensure_future(
        world.stack.device.request(method, url, headers=headers, content=body)
    )
    while not call.done():
        world.stack.clock.advance(1.0)
        await asyncio.sleep(0.002)
    return call.result()


@fuzz(60)
@given(data=st.data())
async def test_any_request_is_answered_without_a_5xx(
    world: World, data: st.DataObject, expect_log: None
) -> None:
    """Random requests on every route: no 5xx, the error envelope, refusals change nothing.

    Some refusals are logged at WARNING (a device enrolling with a refused token...), hence
    `expect_log`.
    """
    method, url, headers, body = data.draw(requests(world), label="request")
    before = await snapshot(world.stack)
    response = await _send(world, method, url, headers, body)
    await world.stack.settle(1)
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code < 400:
        return
    path = url.split("?", 1)[0]
    known = any(
        path.count("/") == template.count("/")
        and path.startswith(template.split("{")[0])
        and method in methods
        for template, methods in ROUTES
    )
    if known and response.headers.get("content-type", "").startswith("application/json"):
        error = response.json()["error"]
        assert error["code"] in CODES, error
        assert isinstance(error["message"], str)
        assert isinstance(error["retryable"], bool)
    after = await snapshot(world.stack)
    if response.status_code == 400 and "SLOW_DOWN" in response.text:
        before.pop("bind_sessions")
        after.pop("bind_sessions")
    assert after == before
