import socket
import sys

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
