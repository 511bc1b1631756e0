"""Running the backend as a server process (uvicorn) with graceful shutdown."""

from __future__ import annotations

import logging

import uvicorn

from tvclient.clock import SystemClock
from tvclient.merchant.app import create_app
from tvclient.merchant.config import MerchantConfig

__all__ = ["serve"]

log = logging.getLogger(__name__)


async def serve(config: MerchantConfig) -> None:
    """Serve until SIGTERM/SIGINT; in-flight payments finish before the process exits."""
    app = create_app(config, clock=SystemClock())
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=config.host,
            port=config.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=int(config.shutdown_grace),
            limit_concurrency=None,
            backlog=4096,
            timeout_keep_alive=30,
        )
    )
    log.info("merchant backend listening on http://%s:%d", config.host, config.port)
    await server.serve()
