import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.processes import ServiceError, free_port, run_process

SERVE = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1"]


def test_free_port_is_bindable():
    """free_port names a loopback port nothing is listening on."""
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_runner_waits_until_the_url_answers_and_kills_at_the_end(process_runner, tmp_path):
    """A started server answers as soon as start() returns; its output lands in a log file."""
    (tmp_path / "hello.txt").write_text("hi")
    port = free_port()
    url = f"http://127.0.0.1:{port}/hello.txt"
    server = process_runner.start([*SERVE, str(port)], ready_url=url, cwd=tmp_path, name="http")
    with httpx.Client(trust_env=False) as client:
        assert client.get(url).text == "hi"
    process_runner.stop_all()
    assert server.popen.poll() is not None
    assert "GET /hello.txt" in server.log_text()


def test_a_process_that_dies_early_fails_with_its_log(tmp_path):
    """A process that exits before answering fails fast with its output, not after the deadline."""
    crash = [sys.executable, "-c", "import sys; print('boom: bad config'); sys.exit(3)"]
    with (
        pytest.raises(ServiceError, match=r"(?s)exited with code 3.*boom: bad config"),
        run_process(crash, log_path=tmp_path / "crash.log", ready_url="http://127.0.0.1:9/"),
    ):
        pass


def test_a_process_that_never_answers_is_stopped_after_the_deadline(tmp_path):
    """The readiness wait has a deadline, and the process is killed when it passes."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    port = free_port()
    with (
        pytest.raises(ServiceError, match="did not answer within"),
        run_process(
            sleeper,
            log_path=tmp_path / "s.log",
            ready_url=f"http://127.0.0.1:{port}/",
            deadline=0.5,
        ),
    ):
        pass


def test_a_started_process_dies_with_a_killed_test_run(tmp_path):
    """A server started for a test does not outlive a test run killed with SIGKILL."""
    pid_file = tmp_path / "child.pid"
    parent_code = (
        "import subprocess, sys, time\n"
        "from tests.helpers.processes import leashed\n"
        "child = subprocess.Popen(leashed([sys.executable, '-c', 'import time; time.sleep(60)']))\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=repo)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the parent never started its child"
            time.sleep(0.02)
        child_pid = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child_pid):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
