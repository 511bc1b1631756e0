import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers.browser import CHROMIUM

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>wallet</title></head>
<body><h1 id="title">Authorize 扫码绑定</h1>
<button id="ok" onclick="document.getElementById('title').textContent='Agreed'">OK</button>
</body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def page_server() -> Iterator[str]:
    """A tiny HTTP server on loopback serving one page; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_chromium_reads_a_loopback_page(phone_page, page_server):
    """Playwright drives Debian's Chromium to a loopback page, reads it and clicks in it."""
    await phone_page.goto(page_server)
    assert await phone_page.text_content("#title") == "Authorize 扫码绑定"
    await phone_page.tap("#ok")
    assert await phone_page.text_content("#title") == "Agreed"


async def test_the_page_is_phone_sized(phone_page, page_server):
    """The page fixture looks like a phone to the page: narrow viewport and touch."""
    await phone_page.goto(page_server)
    width = await phone_page.evaluate("window.innerWidth")
    touch = await phone_page.evaluate("'ontouchstart' in window")
    assert (width, touch) == (390, True)


async def test_the_browser_is_the_system_chromium(chromium_browser):
    """The browser is Debian's Chromium, not a browser Playwright downloaded."""
    assert str(CHROMIUM) == "/usr/bin/chromium"
    assert chromium_browser.browser_type.name == "chromium"
    assert chromium_browser.version.split(".")[0].isdigit()
    assert chromium_browser.is_connected()
