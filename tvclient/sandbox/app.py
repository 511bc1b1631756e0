"""The sandbox as one ASGI application (Starlette).

    /ams/api/v1/...            the Antom Open API (production path form)
    /ams/sandbox/api/v1/...    the same APIs (the path SDKs use for SANDBOX_ client IDs)
    /wallet/...                the phone wallet page (public: a phone opens it from the QR)
    /operator/v1/...           operator controls (bearer token)
    /healthz                   liveness: {"status": "ok"}

`create_app` opens (or creates) the data dir at once, so `app.state.sandbox` is usable before
the app starts. The lifespan runs the background work (settling, QR lapses, notifications) on
the given clock and sends notifications through `http_client` — inject an
`httpx.AsyncClient(transport=httpx.ASGITransport(merchant_app))` to deliver them in process.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tvclient.clock import Clock
from tvclient.sandbox.api import API_METHODS, AntomApi
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.operator import OperatorApi
from tvclient.sandbox.settings import SandboxSettings
from tvclient.sandbox.wallet_page import WalletPage

__all__ = ["create_app", "sandbox_of"]


def create_app(
    settings: SandboxSettings, *, clock: Clock, http_client: httpx.AsyncClient | None = None
) -> Starlette:
    """Build the sandbox app on `settings.data_dir` (created with keys and client if new).

    Raises:
        DataDirError: the data dir cannot be created or read.
    """
    sandbox = Sandbox(settings, clock=clock)
    signer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sandbox-sign")
    api = AntomApi(sandbox, signer=signer)

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def index(_request: Request) -> Response:
        return JSONResponse(
            {
                "service": "tvclient Antom sandbox",
                "clientId": sandbox.identity.client_id,
                "apiPrefixes": ["/ams/api/v1", "/ams/sandbox/api/v1"],
                "wallet": "/wallet",
                "operator": "/operator/v1",
            }
        )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        client = http_client or httpx.AsyncClient(trust_env=False)
        sandbox.attach(client)
        background = asyncio.create_task(sandbox.run_background(), name="sandbox-background")
        try:
            yield
        finally:
            background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await background
            await sandbox.stop()
            if http_client is None:
                await client.aclose()
            signer.shutdown(wait=True)
            sandbox.close()

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/ams/api", api.handle, methods=API_METHODS),
        _any_below("/ams/api/", api.handle),
        Route("/ams/sandbox/api", api.handle, methods=API_METHODS),
        _any_below("/ams/sandbox/api/", api.handle),
        *WalletPage(sandbox).routes(),
        *OperatorApi(sandbox).routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    # A near-miss path gets a 404, never a redirect a signing client would follow blindly.
    app.router.redirect_slashes = False
    app.state.sandbox = sandbox
    return app


def _any_below(prefix: str, endpoint: Callable[[Request], Awaitable[Response]]) -> Route:
    """A route for every path under `prefix`, control characters included.

    Starlette's `{rest:path}` stops at a newline (its `.` is not DOTALL), so `/ams/api/%0a`
    got a bare 404 where Antom answers every API path with a result.
    """
    route = Route(prefix + "{rest:path}", endpoint, methods=API_METHODS)
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    return route


def sandbox_of(app: Starlette) -> Sandbox:
    """The `Sandbox` behind an app made by `create_app` (for tests and the embedded stack)."""
    sandbox: Sandbox = app.state.sandbox
    return sandbox
