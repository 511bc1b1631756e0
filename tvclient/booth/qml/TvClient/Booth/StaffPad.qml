pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.BoothModels

// The staff PIN: boxes for the digits typed and a 3x4 pad. Keys reach the pad model through
// the booth's filter (digits type, arrows move, OK presses, Back deletes then closes); taps on
// the pad go back through the booth model.
Item {
    id: staffPad

    required property BoothModel booth
    readonly property var tx: booth.texts
    readonly property var pad: booth.pad

    Rectangle { anchors.fill: parent; color: Theme.scrim }
    MouseArea { anchors.fill: parent }

    Rectangle {
        id: box
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
                width: parent.width - grid.width - parent.spacing
                spacing: Theme.u(18)
                Row {
                    spacing: Theme.u(16)
                    UiText {
                        text: staffPad.tx.pin_title || ""
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        wrapMode: Text.NoWrap
                    }
                    Badge {
                        visible: staffPad.booth.demo
                        text: staffPad.tx.demo_badge || ""
                        color: Theme.demo
                        textColor: Theme.demoText
                        bold: true
                    }
                }
                UiText {
                    width: parent.width
                    text: staffPad.tx.pin_message || ""
                    color: Theme.textDim
                }
                Row {
                    objectName: "staffPinBoxes"
                    spacing: Theme.u(14)
                    Repeater {
                        model: staffPad.pad ? staffPad.pad.length : 0
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
                                text: staffPad.pad && parent.index < staffPad.pad.entered ? "\u25CF" : ""
                                font.pixelSize: Theme.fontLarge
                            }
                        }
                    }
                }
                UiText {
                    objectName: "staffPinError"
                    width: parent.width
                    text: staffPad.booth.padError
                    visible: text.length > 0
                    color: Theme.danger
                }
                UiText {
                    width: parent.width
                    text: staffPad.tx.pin_hint || ""
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
            }

            Grid {
                id: grid
                columns: 3
                spacing: Theme.u(14)
                Repeater {
                    model: staffPad.booth.padKeys
                    Rectangle {
                        id: key
                        required property int index
                        required property string modelData
                        readonly property bool current: staffPad.pad !== null && staffPad.pad.focusIndex === index
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
                            onClicked: staffPad.booth.tapPad(key.index)
                        }
                    }
                }
            }
        }
    }
}
