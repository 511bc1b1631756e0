"""The phone path: the QR the booth shows, opened in Chromium as a visitor's phone would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytestqt.qtbot import QtBot

from tests.app.test_scan import decode
from tests.app.ui import find_item, grab, settle
from tests.booth.conftest import MakeBooth
from tests.booth.drive import open_scan, start_visit
from tvclient.booth.network import phone_address

if TYPE_CHECKING:
    from playwright.async_api import Page


async def test_the_qr_opened_on_a_phone_binds_the_booth(
    qtbot: QtBot, make_booth: MakeBooth, phone_page: Page
) -> None:
    """The QR decodes to the address the booth advertises; Agree on the phone binds the TV."""
    rig = make_booth()
    shell = rig.booth.shell
    start_visit(qtbot, rig)
    open_scan(qtbot, rig)
    qr = find_item(shell, "qrImage")
    assert qr is not None
    qtbot.waitUntil(lambda: qr.property("progress") == 1.0)
    qtbot.wait(150)
    [url] = decode(grab(shell))
    advertised = rig.booth.phone_url
    assert advertised == phone_address("127.0.0.1", rig.booth.config.wallet_port)[0]
    assert url.startswith(advertised + "/wallet/authorize/")

    await phone_page.goto(url)
    await phone_page.get_by_role("radio", name="Alice Chan").check()
    await phone_page.get_by_role("button", name="Agree").click()
    await phone_page.get_by_role("heading", name="Linked").wait_for()

    settle(qtbot, shell, "bound", timeout=15_000)
    assert shell.model.binding is not None
    assert rig.booth.visits.current is not None
    assert rig.booth.visits.current.bound_after is not None
