import QtQuick
import TvClient.Controls

// Step 2's picture: a code on the TV and a phone scanning it. The code is a drawing, not a
// QR code a phone could read.
Item {
    id: art
    property bool running: false
    anchors.fill: parent

    // 9x9 cells: three finder squares and a fixed scatter; it has no format information, so no
    // reader takes it for a real code.
    readonly property var cells: [
        1,1,1,0,1,0,1,1,1,
        1,0,1,0,0,1,1,0,1,
        1,1,1,0,1,0,1,1,1,
        0,0,0,1,0,1,0,0,0,
        1,0,1,1,0,0,1,1,0,
        0,1,0,0,1,1,0,1,1,
        1,1,1,0,0,1,1,0,1,
        1,0,1,0,1,0,0,1,0,
        1,1,1,0,1,1,0,1,1
    ]

    Rectangle {
        id: code
        x: Theme.u(40)
        anchors.verticalCenter: parent.verticalCenter
        width: Theme.u(126)
        height: width
        radius: Theme.u(8)
        color: "white"
        Grid {
            anchors.centerIn: parent
            columns: 9
            Repeater {
                model: art.cells
                Rectangle {
                    required property int modelData
                    width: Theme.u(12)
                    height: Theme.u(12)
                    color: modelData ? "#0b0f14" : "white"
                }
            }
        }
        Rectangle {
            id: beam
            x: Theme.u(6)
            width: parent.width - Theme.u(12)
            height: Theme.u(4)
            radius: Theme.u(2)
            color: Theme.success
            opacity: art.running ? 0.9 : 0.0
            SequentialAnimation on y {
                running: art.running
                loops: Animation.Infinite
                NumberAnimation { from: Theme.u(8); to: Theme.u(114); duration: 1100; easing.type: Easing.InOutSine }
                NumberAnimation { from: Theme.u(114); to: Theme.u(8); duration: 1100; easing.type: Easing.InOutSine }
            }
        }
    }

    Rectangle {
        id: phone
        x: code.x + code.width + Theme.u(34)
        anchors.verticalCenter: parent.verticalCenter
        width: Theme.u(80)
        height: Theme.u(140)
        radius: Theme.u(14)
        color: Theme.background
        border.width: Theme.u(4)
        border.color: Theme.text
        rotation: -8
        Rectangle {
            anchors.centerIn: parent
            width: parent.width - Theme.u(18)
            height: parent.height - Theme.u(34)
            radius: Theme.u(4)
            color: Theme.primary
            UiText {
                anchors.centerIn: parent
                text: "\u2713"
                font.pixelSize: Theme.fontTitle
                font.bold: true
                opacity: art.running ? 1 : 0.4
            }
        }
    }
}
