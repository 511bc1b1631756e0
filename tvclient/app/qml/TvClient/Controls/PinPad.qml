import QtQuick

// Four PIN digits, entered with the remote's number keys or with arrows (Up/Down change the
// digit under focus, Left/Right move). OK on a complete PIN submits it. Digits show as dots
// once entered; only the digit being chosen with the arrows is visible.
FocusScope {
    id: pad

    property int length: 4
    property var digits: []          // entered digits, as numbers
    property int cursor: 0
    property int editing: -1         // the digit shown while chosen with arrows, -1 when none

    signal submitted(string pin)

    implicitWidth: length * Theme.u(84) + (length - 1) * Theme.u(20)
    implicitHeight: Theme.u(100)

    function clear() { digits = []; cursor = 0; editing = -1 }
    function put(d: int) {
        const next = digits.slice(0, cursor)
        next.push(d)
        digits = next
        editing = -1
        cursor = Math.min(cursor + 1, length)
    }
    function commitEditing() { if (editing >= 0) put(editing) }

    Keys.onPressed: (event) => {
        if (event.key >= Qt.Key_0 && event.key <= Qt.Key_9) {
            event.accepted = true
            if (cursor < length)
                put(event.key - Qt.Key_0)
        } else if (event.key === Qt.Key_Up || event.key === Qt.Key_Down) {
            event.accepted = true
            if (cursor >= length)
                return
            const step = event.key === Qt.Key_Up ? 1 : 9
            editing = ((editing < 0 ? 0 : editing) + step) % 10
        } else if (event.key === Qt.Key_Right) {
            event.accepted = true
            commitEditing()
        } else if (event.key === Qt.Key_Left) {
            event.accepted = true
            if (cursor > 0) {
                digits = digits.slice(0, cursor - 1)
                cursor = cursor - 1
                editing = -1
            }
        } else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter
                   || event.key === Qt.Key_Select || event.key === Qt.Key_Space) {
            event.accepted = true
            if (event.isAutoRepeat)
                return
            commitEditing()
            if (digits.length === length) {
                const pin = digits.join("")
                clear()
                submitted(pin)
            }
        }
    }

    Row {
        spacing: Theme.u(20)
        Repeater {
            model: pad.length
            Rectangle {
                required property int index
                readonly property bool current: index === pad.cursor
                width: Theme.u(84)
                height: Theme.u(100)
                radius: Theme.radius
                color: Theme.background
                border.width: current && pad.activeFocus ? Theme.focusRing : Theme.u(2)
                border.color: current && pad.activeFocus ? Theme.focus : Theme.textDim
                UiText {
                    anchors.centerIn: parent
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    text: index < pad.digits.length ? "\u25CF"
                        : (parent.current && pad.editing >= 0 ? String(pad.editing) : "")
                }
            }
        }
    }
}
