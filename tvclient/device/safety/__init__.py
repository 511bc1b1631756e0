"""Purchase safety: fresh-press gate, hold-to-confirm, purchase PIN, daily spending cap.

No Qt here. Everything takes an injected `tvclient.clock.Clock`, so the rules are tested with a
fake clock and the Qt side (`tvclient/app/input/payguard.py`, `pinpad.py`) only forwards events.
"""
