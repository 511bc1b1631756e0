"""Operations endpoints: /healthz, /readyz, /metrics, /openapi.json."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tvclient.merchant.backend import Backend
from tvclient.merchant.openapi import openapi_document
from tvclient.merchant.web import json_response

__all__ = ["OpsApi"]


class OpsApi:
    """Health, readiness, metrics and the API document."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._document = openapi_document()

    async def healthz(self, request: Request) -> Response:  # noqa: ARG002 - fixed answer
        """Liveness: the process answers."""
        return json_response({"status": "ok"})

    async def readyz(self, request: Request) -> Response:  # noqa: ARG002 - fixed checks
        """Readiness: started, not shutting down, and the database answers."""
        if not self.backend.ready:
            return json_response({"status": "not ready", "reason": "starting or stopping"}, 503)
        try:
            await self.backend.db.ping()
        except Exception as exc:  # noqa: BLE001 - any database failure means "not ready"
            return json_response(
                {"status": "not ready", "reason": f"database: {type(exc).__name__}"}, 503
            )
        return json_response({"status": "ready"})

    async def metrics(self, request: Request) -> Response:  # noqa: ARG002 - fixed answer
        """Prometheus text exposition."""
        return PlainTextResponse(
            self.backend.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    async def openapi(self, request: Request) -> Response:  # noqa: ARG002 - fixed answer
        """The device API's OpenAPI 3 document."""
        return json_response(self._document)

    def routes(self) -> list[Route]:
        """The ops routes."""
        return [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/readyz", self.readyz, methods=["GET"]),
            Route("/metrics", self.metrics, methods=["GET"]),
            Route("/openapi.json", self.openapi, methods=["GET"]),
        ]
