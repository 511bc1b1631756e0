"""Forgetting a visitor on the device side: the app's screens, and the device's local state.

The app is driven only through its public view-model API (the same calls its own screens
make), so the booth needs no hook inside `tvclient/app/`. What the app keeps of a visitor, and
how each piece goes:

- the screen stack, and whatever flow is under way: a dialog or PIN prompt is cancelled, a QR
  is given up (the bind session is deleted at the backend), a purchase stops being followed,
  the Bound screen's automatic "continue" is taken now, then the stack becomes Home alone;
- the linked-wallet badge, the "why you must link again" notice, the selected product;
- the Account screen's purchase history (emptied: no binding, no history);
- the language: back to the booth's default.

The device's local state (the settings store) holds what the visitor may have set: a purchase
PIN and its lockout, a daily spending cap and its reservations, and unfinished purchase intents.
`clear_visitor_state` removes all of them. The keyring (credential, binding) is the device
core's: `AccountService.unbind()` / `reset()` handle it.
"""

from __future__ import annotations

from tvclient.app.viewmodels.app_model import AppModel
from tvclient.app.viewmodels.navigation import Screen
from tvclient.device.intents import INTENTS_KEY
from tvclient.device.safety.cap import CAP_KEY, SPENDING_KEY
from tvclient.device.safety.pin import PIN_KEY, PIN_LOCK_KEY
from tvclient.device.safety.store import StateStore

__all__ = ["VISITOR_STATE_KEYS", "clear_visitor_state", "forget_visitor", "refresh_after_reset"]

VISITOR_STATE_KEYS = (PIN_KEY, PIN_LOCK_KEY, CAP_KEY, SPENDING_KEY, INTENTS_KEY)


def forget_visitor(app: AppModel, language: str) -> None:
    """Put the app back to a fresh Home screen in `language`, with nothing of the visitor."""
    if app.pin_model.open_:
        app.pin_model.cancel()
    if app.dialog_model.open_:
        app.dialog_model.cancel()
    app.bind_model.proceed()  # a Bound screen's timer would otherwise carry on to its product
    app.bind_model.cancel()
    app.purchase_model.stop()
    app.purchase_model.done()  # phase back to idle; the stack becomes Home
    app.binding_notice = ""
    app.selected = None
    app.set_binding(None)
    app.navigator.reset(Screen.HOME)
    app.account_model.load_history()  # with no binding: no history rows
    if app.lang.value != language:
        app.chooseLanguage(language)


def clear_visitor_state(store: StateStore) -> None:
    """Remove the visitor's PIN, cap, spending and unfinished purchases from the device state."""
    for key in VISITOR_STATE_KEYS:
        if store.load(key) is not None:
            store.save(key, None)


def refresh_after_reset(app: AppModel) -> None:
    """Re-render what showed the cleared state (PIN and cap lines, Pay control hints)."""
    app.account_model.refresh()
    app.product_model.refresh()
