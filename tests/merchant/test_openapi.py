"""schemathesis against /openapi.json of a running backend: no 5xx, responses match the document."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.result import Ok

from tests.helpers.processes import free_port, start_process
from tvclient.merchant.openapi import openapi_document

pytestmark = pytest.mark.slow


@dataclass
class Live:
    """A backend (and its sandbox) running on loopback, with an enrolled device."""

    url: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Sandbox + merchant backend as real processes, one device bound to a wallet."""
    tmp = tmp_path_factory.mktemp("openapi")
    sandbox_port, merchant_port = free_port(), free_port()
    sandbox = start_process(
        [
            sys.executable,
            "-m",
            "tvclient.sandbox",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(sandbox_port),
            "--data",
            str(tmp / "sandbox"),
        ],
        log_path=tmp / "sandbox.log",
        ready_url=f"http://127.0.0.1:{sandbox_port}/healthz",
    )
    url = f"http://127.0.0.1:{merchant_port}"
    merchant = start_process(
        [
            sys.executable,
            "-m",
            "tvclient.merchant",
            "serve",
            "--sandbox-dir",
            str(tmp / "sandbox"),
            "--database",
            f"sqlite:///{tmp / 'merchant.db'}",
            "--host",
            "127.0.0.1",
            "--port",
            str(merchant_port),
            "--allow-loopback-enrolment",
            "--polls-per-minute",
            "100000",
            "--bind-sessions-per-minute",
            "100000",
        ],
        log_path=tmp / "merchant.log",
        ready_url=url + "/readyz",
    )
    try:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as http:
            credential = http.post("/v1/devices", json={}).json()["credential"]
            headers = {"Authorization": f"Bearer {credential}"}
            session = http.post(
                "/v1/bind-sessions", json={"wallet": "ALIPAY_HK"}, headers=headers
            ).json()
            httpx.post(
                f"http://127.0.0.1:{sandbox_port}/wallet/api/approve",
                json={"codeValue": session["qr_text"]},
                trust_env=False,
            )
            http.get(f"/v1/bind-sessions/{session['id']}", params={"wait": 10}, headers=headers)
        yield Live(url, headers)
    finally:
        merchant.stop()
        sandbox.stop()


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def _operations() -> list[Any]:
    schema = schemathesis.openapi.from_dict(openapi_document())
    return [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]


@pytest.mark.parametrize(
    "operation", _operations(), ids=lambda op: f"{op.method.upper()} {op.path}"
)
def test_every_response_matches_the_document(operation: Any, live: Live) -> None:
    """Generated requests to every device-API operation: never 5xx, always as documented."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def exercise(case: Any) -> None:
        headers = {
            key: value
            for key, value in (case.headers or {}).items()
            if key.lower() != "authorization"
        }
        headers.update(live.headers)
        case.call_and_validate(base_url=live.url, headers=headers, checks=CHECKS)

    exercise()


def test_the_served_document_is_the_one_tested(live: Live) -> None:
    """GET /openapi.json returns exactly the document schemathesis checked."""
    served = httpx.get(live.url + "/openapi.json", trust_env=False).json()
    assert served == openapi_document()
    assert set(served["paths"]) == {
        "/v1/devices",
        "/v1/catalog",
        "/v1/catalog/images/{name}",
        "/v1/bind-sessions",
        "/v1/bind-sessions/{id}",
        "/v1/bindings/{ref}",
        "/v1/purchases",
        "/v1/purchases/{id}",
    }
