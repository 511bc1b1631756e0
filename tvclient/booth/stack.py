"""The embedded demo stack: the Antom sandbox and the merchant backend in this process (loopback).

`tvclient` with no backend configured, `tvclient --booth` and `tvclient --self-test` run on it.
Both servers are real uvicorn servers on real sockets, in one background thread with its own
asyncio loop, so the device app talks to them over HTTP exactly as it would to a backend in the
field. Their data lives under one directory (the user data dir by default) and survives restarts:
the sandbox keeps its keys, client, buyers and ledger; the backend keeps its SQLite ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["EmbeddedStack", "StackError", "StackUrls"]

_log = logging.getLogger(__name__)


class StackError(RuntimeError):
    """The demo stack could not start; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class StackUrls:
    """Where the parts of a running stack answer."""

    backend_url: str
    """The merchant backend's device API (what the device app talks to)."""
    sandbox_url: str
    """The sandbox's own base URL on this machine (Antom API, operator API)."""
    wallet_url: str
    """The base URL phones use for the wallet page (the QR text starts with it)."""
    operator_token: str
    """Bearer token of the sandbox's operator API (staff approve, faults, reports)."""


# The ports of the last run, kept (unlike stack.json) when the stack stops.
_PORTS_FILE = "ports.json"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StackError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(512)
    return sock


def _listen_on(host: str, fixed: int, remembered: int) -> socket.socket:
    """Listen on `fixed` if given (taken: error), else on last run's port if free, else any."""
    if fixed:
        return _listen(host, fixed)
    if remembered:
        try:
            return _listen(host, remembered)
        except StackError as exc:
            _log.info("%s; taking a free port (the TV will enrol again)", exc)
    return _listen(host, 0)


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host  # noqa: S104 - recognising, not binding
    if shown == "::":
        shown = "::1"
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


class EmbeddedStack:
    """Sandbox + merchant backend served from a background thread until `stop()`.

    Args:
        data_dir: Holds `sandbox/` (the sandbox's data dir) and `merchant.db`.
        sandbox_host: Address the sandbox listens on. Loopback for a TV at home; the booth binds
            a LAN address so visitors' phones can open the wallet page.
        sandbox_port: 0 takes the port of the last run when it is free, else a free one.
        public_url: Base URL phones use for the wallet page (default: the sandbox's own URL).
        time_scale: Sandbox seconds per real second (1 for people; tests compress time).
        backend_port: Loopback port of the merchant backend; 0 takes the last run's port when
            it is free, else a free one. The device's keyring entries and its home snapshot
            are named after the backend URL, so a demo that keeps its URL keeps the TV's link
            and instant store across restarts; the booth fixes the port outright, because a
            restarted booth must find (and revoke) what a crashed run left there.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        sandbox_host: str = "127.0.0.1",
        sandbox_port: int = 0,
        public_url: str | None = None,
        time_scale: float = 1.0,
        backend_port: int = 0,
    ) -> None:
        self._data_dir = data_dir
        self._backend_port = backend_port
        self._sandbox_host = sandbox_host
        self._sandbox_port = sandbox_port
        self._public_url = public_url
        self._time_scale = time_scale
        self._thread: threading.Thread | None = None
        self._servers: list[Any] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.urls: StackUrls | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 60.0) -> StackUrls:
        """Start both servers and return their URLs once both accept connections.

        Raises:
            StackError: a part failed to start (missing server extra, port taken, bad data).
        """
        try:
            import uvicorn

            from tvclient.merchant import MerchantConfig
            from tvclient.merchant import create_app as merchant_app
            from tvclient.sandbox.app import create_app as sandbox_app
            from tvclient.sandbox.app import sandbox_of
            from tvclient.sandbox.clocks import resume_clock
            from tvclient.sandbox.settings import NotifyUrls, SandboxSettings
        except ImportError as exc:
            raise StackError(
                f"the demo stack needs the server extra: pip install 'tvclient[server]' ({exc})"
            ) from None

        self._data_dir.mkdir(parents=True, exist_ok=True)
        last_sandbox, last_backend = self._last_ports()
        sandbox_sock = _listen_on(self._sandbox_host, self._sandbox_port, last_sandbox)
        try:
            merchant_sock = _listen_on("127.0.0.1", self._backend_port, last_backend)
        except StackError:
            sandbox_sock.close()
            raise
        sandbox_port = sandbox_sock.getsockname()[1]
        merchant_port = merchant_sock.getsockname()[1]
        self._remember_ports(sandbox_port, merchant_port)
        sandbox_url = _url(self._sandbox_host, sandbox_port)
        backend_url = _url("127.0.0.1", merchant_port)
        sandbox_dir = self._data_dir / "sandbox"
        try:
            settings = SandboxSettings(
                data_dir=sandbox_dir,
                host=self._sandbox_host,
                port=sandbox_port,
                public_base_url=self._public_url or sandbox_url,
                time_scale=self._time_scale,
                merchant_name="tvclient demo store",
                notify_urls=NotifyUrls(
                    authorization=f"{backend_url}/antom/notify/authorization",
                    payment=f"{backend_url}/antom/notify/payment",
                    refund=f"{backend_url}/antom/notify/refund",
                ),
            )
            sandbox_clock = resume_clock(sandbox_dir, self._time_scale)
            sandbox = sandbox_app(settings, clock=sandbox_clock)
            config = MerchantConfig.from_sandbox_dir(
                sandbox_dir,
                host="127.0.0.1",
                port=merchant_port,
                public_url=backend_url,
                # A sandbox bound to one LAN address does not answer on loopback.
                antom_url=sandbox_url,
                database=f"sqlite:///{self._data_dir / 'merchant.db'}",
                allow_loopback_enrolment=True,
            )
            merchant = merchant_app(config)
        except (OSError, ValueError) as exc:
            sandbox_sock.close()
            merchant_sock.close()
            raise StackError(f"demo stack: {exc}") from exc

        operator_token = sandbox_of(sandbox).identity.operator_token
        self._servers = [
            uvicorn.Server(
                uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
            )
            for app in (sandbox, merchant)
        ]
        sockets = [sandbox_sock, merchant_sock]
        self._thread = threading.Thread(
            target=self._serve, args=(sockets,), name="demo-stack", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout) or self._failure is not None:
            self.stop()
            raise StackError(f"demo stack did not start: {_describe(self._failure)}")
        self.urls = StackUrls(
            backend_url=backend_url,
            sandbox_url=sandbox_url,
            wallet_url=settings.public_base_url or sandbox_url,
            operator_token=operator_token,
        )
        # Lets `tvclient sandbox approve --demo` find this sandbox (no secret in it: the operator
        # token stays in the sandbox's database).
        record = {"backend_url": backend_url, "sandbox_url": self.urls.sandbox_url,
                  "wallet_url": self.urls.wallet_url}
        (self._data_dir / "stack.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        _log.info("demo stack: backend %s, sandbox %s", backend_url, sandbox_url)
        return self.urls

    def _last_ports(self) -> tuple[int, int]:
        """(sandbox, backend) ports of the last run, (0, 0) when unknown."""
        try:
            data = json.loads((self._data_dir / _PORTS_FILE).read_text(encoding="utf-8"))
            ports = (int(data["sandbox"]), int(data["backend"]))
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0
        return ports if all(0 < port < 65536 for port in ports) else (0, 0)

    def _remember_ports(self, sandbox: int, backend: int) -> None:
        try:
            (self._data_dir / _PORTS_FILE).write_text(
                json.dumps({"sandbox": sandbox, "backend": backend}), encoding="utf-8"
            )
        except OSError as exc:  # the next run takes new ports: the TV enrols again, no more
            _log.info("cannot remember the demo's ports: %s", exc)

    def _serve(self, sockets: list[socket.socket]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        main = loop.create_task(self._serve_all(sockets))
        try:
            loop.run_until_complete(main)
        except BaseException as exc:  # noqa: BLE001 - reported to start() and logged, not lost
            self._failure = exc
            _log.exception("demo stack stopped with an error")
            self._wind_down(loop)
            if main.done() and not main.cancelled():
                main.exception()  # the failure is reported above, not "never retrieved"
        finally:
            for sock in sockets:
                sock.close()
            loop.close()
            self._ready.set()

    def _wind_down(self, loop: asyncio.AbstractEventLoop) -> None:
        """After a failure, let the other server stop too, so nothing outlives the loop.

        A server's SystemExit (how uvicorn reports a failed start-up) leaves the loop at once,
        with the other server's tasks still running.
        """
        for server in self._servers:
            server.should_exit = True
        pending = asyncio.all_tasks(loop)
        with contextlib.suppress(BaseException):
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=10))
            for task in pending:
                if not task.done():
                    task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        with contextlib.suppress(BaseException):
            loop.run_until_complete(loop.shutdown_asyncgens())

    async def _serve_all(self, sockets: list[socket.socket]) -> None:
        tasks = [
            asyncio.create_task(server.serve(sockets=[sock]))
            for server, sock in zip(self._servers, sockets, strict=True)
        ]
        while not all(server.started for server in self._servers):
            done = [t for t in tasks if t.done()]
            if done:
                # One server failed: stop the other too, so no task outlives the loop.
                for server in self._servers:
                    server.should_exit = True
                await asyncio.gather(*tasks, return_exceptions=True)
                await done[0]  # surfaces the start-up error
                raise StackError("a server exited during start-up")
            await asyncio.sleep(0.02)
        self._ready.set()
        await asyncio.gather(*tasks)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop both servers (in-flight requests finish) and wait for the thread."""
        (self._data_dir / "stack.json").unlink(missing_ok=True)
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                _log.warning("demo stack did not stop within %.0f s", timeout)
            self._thread = None

    def __enter__(self) -> StackUrls:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _describe(failure: BaseException | None) -> str:
    """Why the stack did not start, in words (uvicorn reports a failed start-up as exit 3)."""
    if failure is None:
        return "it did not answer within the time allowed"
    if isinstance(failure, SystemExit):
        return "a server failed while starting (its error is in the log above)"
    return str(failure) or type(failure).__name__
