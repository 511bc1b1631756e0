import QtQuick
import TvClient.Controls
import TvClient.Models

// Asks for the 4-digit purchase PIN (to pay, or to change the PIN). Back cancels it.
FocusScope {
    id: dialog
    required property PinModel model
    readonly property bool open: model.open

    anchors.fill: parent
    visible: open
    z: 90
    onOpenChanged: if (open) pad.clear()

    Rectangle { anchors.fill: parent; color: Theme.scrim }
    MouseArea { anchors.fill: parent }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.safeX, Theme.u(760))
        height: column.implicitHeight + 2 * Theme.u(40)
        radius: Theme.radius * 2
        color: Theme.surface
        border.width: Theme.u(2)
        border.color: Theme.textDim
        Column {
            id: column
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.u(40) }
            spacing: Theme.u(24)
            UiText {
                width: parent.width
                text: dialog.model.title
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            UiText {
                width: parent.width
                text: dialog.model.message
                color: Theme.textDim
                visible: text.length > 0
            }
            PinPad {
                id: pad
                objectName: "pinPad"
                anchors.horizontalCenter: parent.horizontalCenter
                focus: true
                onSubmitted: (pin) => dialog.model.submit(pin)
            }
            UiText {
                objectName: "pinError"
                width: parent.width
                text: dialog.model.error
                color: Theme.danger
                visible: text.length > 0
            }
            UiText {
                width: parent.width
                text: dialog.model.hint
                color: Theme.textDim
                font.pixelSize: Theme.fontSmall
            }
        }
    }
}
