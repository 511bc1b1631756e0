"""`AntomPort` over `tvclient.antom.AntomClient`: typed, signed, verified calls.

Request bodies are validated by the typed messages before anything is sent (a body that
breaks the reference is a bug here, reported as `F PARAM_ILLEGAL` without a call); outcomes
become `AntomReply` with the response's wire JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from tvclient.antom.client import AntomClient
from tvclient.antom.errors import MessageError
from tvclient.antom.keys import read_private_key, read_public_key
from tvclient.antom.messages.registry import request_type, response_type
from tvclient.antom.outcomes import Failure, Success, Unknown
from tvclient.clock import Clock
from tvclient.merchant.antom_port import AntomReply, Api
from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.errors import ConfigError
from tvclient.merchant.metrics import Metrics

__all__ = ["AntomGateway", "MeteredAntom"]

log = logging.getLogger(__name__)


class AntomGateway:
    """Calls Antom (or a sandbox) through an `AntomClient`."""

    def __init__(self, client: AntomClient, *, owned_http: httpx.AsyncClient | None = None) -> None:
        self._client = client
        self._owned_http = owned_http

    @classmethod
    def from_config(
        cls,
        config: MerchantConfig,
        *,
        clock: Clock,
        client: AntomClient | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> AntomGateway:
        """A gateway for `client`, or for a client built from the config's URL and keys.

        Raises:
            ConfigError: Antom settings are missing.
            KeyFormatError: a key file cannot be used.
        """
        if client is not None:
            return cls(client)
        config.check_antom()
        if config.private_key is None or config.antom_public_key is None:
            raise ConfigError("Antom key files are not configured")
        owned = None
        if http_client is None:
            owned = http_client = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=50)
            )
        built = AntomClient(
            http_client,
            base_url=config.antom_url,
            client_id=config.client_id,
            private_key=read_private_key(config.private_key),
            antom_public_key=read_public_key(config.antom_public_key),
            clock=clock,
            timeout_seconds=config.antom_timeout,
        )
        return cls(built, owned_http=owned)

    async def call(self, api: Api, body: Mapping[str, Any]) -> AntomReply:
        """Validate, sign, send; the outcome as S / F / U."""
        try:
            request = request_type(api).from_json(dict(body))
        except MessageError as exc:
            log.error("%s request breaks the reference (%s); not sent", api.api_name, exc)
            return AntomReply("F", "PARAM_ILLEGAL", str(exc))
        outcome = await self._client.call(api, request, response_type(api))
        match outcome:
            case Success(response=response):
                result = outcome.result
                return AntomReply(
                    "S", result.result_code, result.result_message or "", response.to_json()
                )
            case Failure(result=result, response=response):
                return AntomReply(
                    "F",
                    result.result_code,
                    result.result_message or "",
                    response.to_json() if response is not None else {},
                )
            case Unknown(reason=reason, detail=detail, result=said, response=partial):
                code = said.result_code if said is not None else reason.value.upper()
                return AntomReply(
                    "U", code, detail, partial.to_json() if partial is not None else {}
                )

    async def aclose(self) -> None:
        """Close the HTTP client this gateway made (not one it was given)."""
        if self._owned_http is not None:
            await self._owned_http.aclose()


class MeteredAntom:
    """Wraps any `AntomPort`, recording each call's latency and result in the metrics."""

    def __init__(self, inner: Any, metrics: Metrics, clock: Clock) -> None:
        self._inner = inner
        self._metrics = metrics
        self._clock = clock

    async def call(self, api: Api, body: Mapping[str, Any]) -> AntomReply:
        """Forward the call and observe it."""
        started = self._clock.monotonic()
        reply: AntomReply = await self._inner.call(api, body)
        self._metrics.observe(
            "tvclient_merchant_antom_request_seconds",
            self._clock.monotonic() - started,
            api=api.api_name,
            status=reply.status,
        )
        return reply

    async def aclose(self) -> None:
        """Close the wrapped port when it has something to close."""
        closer = getattr(self._inner, "aclose", None)
        if closer is not None:
            await closer()
