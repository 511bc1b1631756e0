import QtQuick

// The base of every control a remote reaches. OK (Return, Enter, Select, Space) activates it
// on the press; auto-repeated presses never do. While it has focus it wears the focus ring and
// grows, so the focused control is obvious from the sofa.
FocusScope {
    id: control

    signal activated()

    // False shows the control greyed out; it still takes focus so its reason can be read.
    property bool available: true
    // Item views set this for their current delegate; plain controls follow their own focus.
    property bool highlighted: activeFocus
    property real radius: Theme.radius
    property real focusScale: Math.min(Theme.focusScale, 1 + 2 * Theme.focusGrowth / Math.max(width, 1))

    activeFocusOnTab: true
    z: highlighted ? 2 : 0
    scale: highlighted ? focusScale : 1.0
    Behavior on scale { NumberAnimation { duration: Theme.focusAnimation } }

    function isOkKey(key: int): bool {
        return key === Qt.Key_Return || key === Qt.Key_Enter || key === Qt.Key_Select
            || key === Qt.Key_Space
    }

    Keys.onPressed: (event) => {
        if (!isOkKey(event.key))
            return
        event.accepted = true
        if (!event.isAutoRepeat && control.available)
            control.activated()
    }
    Keys.onReleased: (event) => { if (isOkKey(event.key)) event.accepted = true }

    MouseArea {
        anchors.fill: parent
        onClicked: {
            control.forceActiveFocus()
            if (control.available)
                control.activated()
        }
    }

    FocusRing {
        shown: control.highlighted
        innerRadius: control.radius
        z: 10
    }
}
