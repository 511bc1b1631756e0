"""First run: the language is chosen on screen, starting from the system's."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

from tests.app.conftest import MakeShell, MemoryLanguageStore
from tests.app.ui import DOWN, OK, UP, send, settle, wait_focus
from tvclient.app.services import AppOptions


@pytest.fixture
def languages() -> MemoryLanguageStore:
    """Nothing chosen yet."""
    return MemoryLanguageStore(None)


@pytest.fixture
def options(options: AppOptions) -> AppOptions:
    """A TV whose system locale is Hong Kong Chinese."""
    return dataclasses.replace(options, system_locale="zh_HK.UTF-8")


def test_first_run_offers_the_system_language_first(
    qtbot: QtBot, make_shell: MakeShell, languages: MemoryLanguageStore
) -> None:
    """The language screen opens on the system's language; the choice is kept and used."""
    shell = make_shell()
    settle(qtbot, shell, "language")
    wait_focus(qtbot, shell, "language_zh-HK")
    assert shell.model.view("texts")["language_title"] == "選擇語言"
    send(shell, DOWN)
    wait_focus(qtbot, shell, "language_id")
    send(shell, UP)
    send(shell, UP)
    wait_focus(qtbot, shell, "language_en")
    send(shell, OK)
    settle(qtbot, shell, "home")
    assert languages.language == "en"
    qtbot.waitUntil(lambda: shell.model.store_model.rows.rowCount() == 5)
    assert shell.model.view("texts")["store_title"] == "Store"
