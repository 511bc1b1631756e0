pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// The purchase PIN: boxes for the digits typed and a 3×4 pad. Digits come from the number keys
// or from the pad (arrows + OK); Back deletes a digit, then cancels. The input layer's pad
// model decides what each key does; this only draws it.
FocusScope {
    id: dialog
    required property PinModel model
    readonly property bool open: model.open
    readonly property var pad: model.pad

    anchors.fill: parent
    visible: open
    z: 90

    Keys.onPressed: (event) => {
        if (dialog.pad)
            event.accepted = dialog.pad.handleKey(event.key)
    }

    Rectangle { anchors.fill: parent; color: Theme.scrim }
    MouseArea { anchors.fill: parent }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.safeX, Theme.u(920))
        height: Math.min(parent.height - 2 * Theme.safeY, content.implicitHeight + 2 * Theme.u(32))
        radius: Theme.radius * 2
        color: Theme.surface
        border.width: Theme.u(2)
        border.color: Theme.textDim

        Row {
            id: content
            anchors { fill: parent; margins: Theme.u(32) }
            spacing: Theme.u(40)

            Column {
                id: words
                width: parent.width - grid.width - parent.spacing
                spacing: Theme.u(18)
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
                UiText {
                    objectName: "pinStep"
                    width: parent.width
                    text: dialog.model.stepText
                    visible: text.length > 0
                }
                Row {
                    objectName: "pinBoxes"
                    spacing: Theme.u(14)
                    Repeater {
                        model: dialog.pad ? dialog.pad.length : 0
                        Rectangle {
                            required property int index
                            width: Theme.u(56)
                            height: Theme.u(68)
                            radius: Theme.radius
                            color: Theme.background
                            border.width: Theme.u(2)
                            border.color: Theme.textDim
                            UiText {
                                anchors.centerIn: parent
                                text: dialog.pad && parent.index < dialog.pad.entered ? "\u25CF" : ""
                                font.pixelSize: Theme.fontLarge
                            }
                        }
                    }
                }
                UiText {
                    objectName: "pinError"
                    width: parent.width
                    text: dialog.model.errorText
                    visible: text.length > 0
                    color: Theme.danger
                }
                UiText {
                    width: parent.width
                    text: dialog.model.hint
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
            }

            Grid {
                id: grid
                objectName: "pinGrid"
                columns: 3
                spacing: Theme.u(14)
                Repeater {
                    model: dialog.model.keyLabels
                    Rectangle {
                        id: key
                        required property int index
                        required property string modelData
                        readonly property bool current: dialog.pad !== null && dialog.pad.focusIndex === index
                        width: Theme.u(84)
                        height: Theme.u(64)
                        radius: Theme.radius
                        color: current ? Theme.surfaceFocus : Theme.background
                        border.width: current ? Theme.focusRing : Theme.u(2)
                        border.color: current ? Theme.focus : Theme.textDim
                        scale: current ? Theme.focusScale : 1
                        UiText {
                            anchors.centerIn: parent
                            text: key.modelData
                            font.pixelSize: Theme.fontLarge
                            font.bold: key.current
                        }
                        MouseArea {
                            anchors.fill: parent
                            onClicked: if (dialog.pad) dialog.pad.activate(key.index)
                        }
                    }
                }
            }
        }
    }
}
