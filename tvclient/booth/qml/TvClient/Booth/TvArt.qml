import QtQuick
import TvClient.Controls

// Step 1's picture: a TV with a row of tiles and a focus ring stepping along them.
Item {
    id: art
    property bool running: false
    anchors.fill: parent

    Rectangle {
        id: screen
        anchors.centerIn: parent
        width: Theme.u(220)
        height: Theme.u(124)
        radius: Theme.u(8)
        color: Theme.background
        border.width: Theme.u(5)
        border.color: Theme.textDim

        Row {
            id: tiles
            anchors.centerIn: parent
            spacing: Theme.u(12)
            Repeater {
                model: ["#c0392b", "#2e6fd0", "#3c9a4a"]
                Rectangle {
                    required property string modelData
                    width: Theme.u(54)
                    height: Theme.u(66)
                    radius: Theme.u(6)
                    color: modelData
                }
            }
        }
        Rectangle {
            id: ring
            property int spot: 0
            width: Theme.u(64)
            height: Theme.u(76)
            radius: Theme.u(9)
            y: tiles.y - Theme.u(5)
            x: tiles.x - Theme.u(5) + spot * Theme.u(66)
            color: "transparent"
            border.width: Theme.u(4)
            border.color: Theme.focus
            Behavior on x { NumberAnimation { duration: 250; easing.type: Easing.OutCubic } }
        }
        Timer {
            interval: 900
            repeat: true
            running: art.running
            onTriggered: ring.spot = (ring.spot + 1) % 3
        }
    }
    Rectangle {
        anchors.top: screen.bottom
        anchors.horizontalCenter: screen.horizontalCenter
        width: Theme.u(70)
        height: Theme.u(8)
        radius: Theme.u(3)
        color: Theme.textDim
    }
}
