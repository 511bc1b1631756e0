"""One input layer: keyboards, IR/USB remotes, game controllers and HDMI-CEC become UI actions.

Every device is turned into the same small set of actions (`actions.Action`) and delivered to
the focused QML item as an ordinary key event (`keymap.DELIVERED_KEYS`), so screens never know
which device sent them. Modules without "Qt" in their description import no Qt, so
`tvclient doctor` and the tests can use them without a QGuiApplication.
"""
