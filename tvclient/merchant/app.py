"""The Starlette app factory: `create_app(config, clock=..., antom=... | http_client=...)`."""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tvclient.clock import Clock, SystemClock
from tvclient.merchant.admin_api import AdminApi
from tvclient.merchant.antom_port import AntomPort
from tvclient.merchant.backend import Backend
from tvclient.merchant.config import MerchantConfig
from tvclient.merchant.device_api import DeviceApi
from tvclient.merchant.metrics import Metrics
from tvclient.merchant.notify_api import NotifyApi
from tvclient.merchant.ops_api import OpsApi
from tvclient.merchant.store import Database

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(
    config: MerchantConfig,
    *,
    clock: Clock | None = None,
    antom: AntomPort | None = None,
    antom_client: Any = None,
    http_client: httpx.AsyncClient | None = None,
    database: Database | None = None,
    secret: bytes | None = None,
    rng: random.Random | None = None,
) -> Starlette:
    """The merchant backend as an ASGI app; start-up migrates and recovers (lifespan).

    Antom is reached through `antom` (any `AntomPort`), else through `antom_client` (a
    `tvclient.antom` client), else through a client built from the config's URL and keys on
    `http_client` (e.g. an `httpx.AsyncClient` with an `ASGITransport` to a sandbox app).
    `app.state.backend` is the `Backend` (services, database, metrics). `rng` spreads the
    backend's timings (tests pass a seeded one).
    """
    clock = clock or SystemClock()
    port = antom
    if port is None:
        from tvclient.merchant.antom_gateway import AntomGateway

        port = AntomGateway.from_config(
            config, clock=clock, client=antom_client, http_client=http_client
        )
    backend = Backend(
        config, clock=clock, antom=port, database=database, secret=secret, rng=rng
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            log.info("shutting down: finishing in-flight payments")
            await backend.stop()
            await backend.antom.aclose()

    routes: list[BaseRoute] = [
        *DeviceApi(backend).routes(),
        *NotifyApi(backend).routes(),
        *AdminApi(backend).routes(),
        *OpsApi(backend).routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(RequestMetrics, metrics=backend.metrics)
    app.state.backend = backend
    return app


class RequestMetrics:
    """Counts requests by route template, method and status; logs each at DEBUG."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through, recording its outcome."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.inc(
                "tvclient_merchant_http_requests_total",
                route=template,
                method=str(scope.get("method", "")),
                status=str(status),
            )
            log.debug(
                "%s %s -> %s in %.1f ms",
                scope.get("method"),
                template,
                status,
                (time.perf_counter() - started) * 1000,
            )
