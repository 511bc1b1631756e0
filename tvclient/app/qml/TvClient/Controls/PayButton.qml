import QtQuick

// The one control that spends money. It decides nothing itself: it reports every OK press and
// release, and the input layer's pay guard (which saw the raw event: device, repeat flag, when
// the press began) decides whether it was a deliberate press that began on this screen. `holdProgress` (0–1) draws the fill of a
// hold-to-confirm press when the gate asks for one.
FocusScope {
    id: pay

    property string text
    property bool available: true
    property real holdProgress: 0
    readonly property bool highlighted: activeFocus

    // `pointer` is true for touch and mouse, false for OK from any remote or keyboard.
    signal pressed(bool pointer)
    signal released(bool pointer)
    // Focus left mid-press: that press must not pay when it ends somewhere else.
    signal abandoned()

    implicitHeight: Theme.u(96)
    implicitWidth: Math.max(Theme.u(420), label.implicitWidth + 2 * Theme.u(40))
    activeFocusOnTab: true
    z: highlighted ? 2 : 0
    scale: highlighted ? Math.min(Theme.focusScale, 1 + 2 * Theme.focusGrowth / Math.max(width, 1)) : 1.0
    Behavior on scale { NumberAnimation { duration: Theme.focusAnimation } }

    function isOkKey(key: int): bool {
        return key === Qt.Key_Return || key === Qt.Key_Enter || key === Qt.Key_Select
            || key === Qt.Key_Space
    }

    Keys.onPressed: (event) => {
        if (!isOkKey(event.key))
            return
        event.accepted = true
        pay.pressed(false)
    }
    Keys.onReleased: (event) => {
        if (!isOkKey(event.key))
            return
        event.accepted = true
        pay.released(false)
    }

    onActiveFocusChanged: if (!activeFocus) pay.abandoned()

    MouseArea {
        anchors.fill: parent
        onPressed: { pay.forceActiveFocus(); pay.pressed(true) }
        onReleased: pay.released(true)
        onCanceled: pay.abandoned()
    }

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: !pay.available ? Theme.surface : pay.highlighted ? Theme.primaryFocus : Theme.primary
        Rectangle {
            anchors { left: parent.left; top: parent.top; bottom: parent.bottom }
            width: parent.width * Math.max(0, Math.min(1, pay.holdProgress))
            radius: parent.radius
            color: Theme.success
            opacity: 0.45
            visible: pay.holdProgress > 0
        }
    }
    UiText {
        id: label
        anchors.centerIn: parent
        width: Math.min(implicitWidth, pay.width - 2 * Theme.u(24))
        text: pay.text
        font.pixelSize: Theme.fontLarge
        font.bold: true
        color: pay.available ? Theme.text : Theme.textDisabled
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.NoWrap
        elide: Text.ElideRight
    }
    FocusRing { shown: pay.highlighted; z: 10 }
}
