"""Real subprocesses on loopback for end-to-end tests: free ports, start, wait until ready, stop."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx

LOOPBACK = "127.0.0.1"


class ServiceError(RuntimeError):
    """A test service could not be started or did not become ready; the message says why."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on `host` that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def require_binary(name: str, package: str) -> str:
    """The full path of program `name`, or a ServiceError saying which Debian package brings it."""
    path = shutil.which(name)
    if path is None:
        raise ServiceError(
            f"'{name}' is not installed (Debian package '{package}'); run scripts/setup"
        )
    return path


def leashed(
    args: Sequence[str], *, on_parent_death: str = "TERM", user: str | None = None
) -> list[str]:
    """`args` wrapped so the process gets a signal when the test run dies, even by SIGKILL.

    Uses util-linux `setpriv --pdeathsig` (present on every Debian). Normal teardown still
    stops processes itself; this only keeps a crashed or killed run from leaving servers
    behind. With `user` (root only) the command also runs as that user. The signal is tied to
    the thread that starts the process: start services from the test's own thread.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if user is not None:
            raise ServiceError("'setpriv' is missing (Debian package 'util-linux')")
        return list(args)
    prefix = [setpriv]
    if user is not None:
        prefix += [f"--reuid={user}", f"--regid={user}", "--init-groups"]
    return [*prefix, f"--pdeathsig={on_parent_death}", "--", *args]


def tvclient_command(*args: str) -> list[str]:
    """The command line that runs the installed `tvclient` entry point with `args`."""
    script = Path(sys.executable).with_name("tvclient")
    if not script.exists():
        raise ServiceError(f"{script} is missing: the project is not installed; run scripts/setup")
    return [str(script), *args]


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def stop_process_group(
    popen: subprocess.Popen[bytes] | subprocess.Popen[str],
    grace: float = 5.0,
    first_signal: signal.Signals = signal.SIGTERM,
) -> int:
    """Stop a process started with `start_new_session=True` and everything it started.

    `first_signal` (SIGTERM: servers shut down cleanly) to the process group, then SIGKILL to
    whatever is left of the group after `grace` seconds. Returns the exit code (negative for a
    signal, as subprocess reports it).
    """
    if popen.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, first_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(grace)
    # The leader after `grace`, or children it left behind, go now.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGKILL)
    popen.wait(grace)
    return popen.returncode


class RunningProcess:
    """A subprocess started by `run_process`: its Popen, its log file and the URL it answers on."""

    def __init__(
        self,
        args: Sequence[str],
        popen: subprocess.Popen[bytes],
        log_path: Path,
        log_file: IO[bytes],
        ready_url: str | None,
    ) -> None:
        self.args = list(args)
        self.popen = popen
        self.log_path = log_path
        self.ready_url = ready_url
        self._log_file = log_file

    @property
    def pid(self) -> int:
        """The process id (also its process-group id)."""
        return self.popen.pid

    def log_text(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, url: str, deadline: float) -> None:
        """Block until `url` gives any HTTP answer below 500, or raise ServiceError.

        Fails early, with the log tail, when the process exits before it answers.
        """
        end = time.monotonic() + deadline
        last_error = "no attempt yet"
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                code = self.popen.poll()
                if code is not None:
                    raise ServiceError(
                        f"{self.args[0]} exited with code {code} before {url} answered;"
                        f" log {self.log_path}:\n{tail(self.log_path)}"
                    )
                try:
                    response = client.get(url)
                except httpx.TransportError as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                else:
                    if response.status_code < 500:
                        return
                    last_error = f"HTTP {response.status_code}"
                if time.monotonic() > end:
                    raise ServiceError(
                        f"{url} did not answer within {deadline:.0f} s ({last_error});"
                        f" log {self.log_path}:\n{tail(self.log_path)}"
                    )
                time.sleep(0.05)

    def stop(self, grace: float = 5.0) -> int:
        """Stop the process and its children; returns the exit code."""
        try:
            return stop_process_group(self.popen, grace)
        finally:
            self._log_file.close()


def start_process(
    args: Sequence[str],
    *,
    log_path: Path,
    ready_url: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    deadline: float = 30.0,
) -> RunningProcess:
    """Start `args` with its output in `log_path`; wait for `ready_url` if given.

    `env` entries are added to this process's environment. On any failure to become ready
    the process is stopped before the ServiceError propagates.
    """
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("ab")
    try:
        popen = subprocess.Popen(  # noqa: S603 - the test chooses argv; no shell
            leashed(args),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=cwd,
            start_new_session=True,  # its own process group, so stop() reaches its children
        )
    except OSError as exc:
        log_file.close()
        raise ServiceError(f"cannot start {args[0]}: {exc}") from exc
    process = RunningProcess(args, popen, log_path, log_file, ready_url)
    if ready_url is not None:
        try:
            process.wait_ready(ready_url, deadline)
        except BaseException:
            process.stop()
            raise
    return process


@contextlib.contextmanager
def run_process(
    args: Sequence[str],
    *,
    log_path: Path,
    ready_url: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    deadline: float = 30.0,
) -> Iterator[RunningProcess]:
    """Context manager around `start_process` that always stops the process on exit."""
    process = start_process(
        args, log_path=log_path, ready_url=ready_url, env=env, cwd=cwd, deadline=deadline
    )
    try:
        yield process
    finally:
        process.stop()


class ProcessRunner:
    """Starts processes for one test and stops every one of them when the test ends."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._running: list[RunningProcess] = []

    def start(
        self,
        args: Sequence[str],
        *,
        ready_url: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        deadline: float = 30.0,
        name: str | None = None,
    ) -> RunningProcess:
        """Start `args` (see `start_process`); its log goes to `<log_dir>/<name>.log`."""
        label = name or Path(args[0]).name
        log_path = self.log_dir / f"{label}-{len(self._running)}.log"
        process = start_process(
            args, log_path=log_path, ready_url=ready_url, env=env, cwd=cwd, deadline=deadline
        )
        self._running.append(process)
        return process

    def stop_all(self) -> None:
        """Stop every process started here, newest first."""
        while self._running:
            self._running.pop().stop()
