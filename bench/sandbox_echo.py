"""The baseline of bench/sandbox_pay.py: an unsigned, unvalidated echo on the same stack.

Starlette behind uvicorn, one POST route that reads the body and sends it back as JSON — the
least any HTTP+JSON API costs on this stack, without signatures, validation or storage.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def echo(request: Request) -> Response:
    """Answer the request body as it came."""
    return Response(await request.body(), media_type="application/json")


app = Starlette(routes=[Route("/ams/sandbox/api/v1/payments/pay", echo, methods=["POST"])])

if __name__ == "__main__":
    print("bench/sandbox_echo.py is the baseline app of bench/sandbox_pay.py; run that instead.")
