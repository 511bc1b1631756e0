import QtQuick
import TvClient.Controls

// Step 3's picture: a remote whose OK button is pressed, and the purchase done.
Item {
    id: art
    property bool running: false
    anchors.fill: parent

    Rectangle {
        id: remote
        x: Theme.u(70)
        anchors.verticalCenter: parent.verticalCenter
        width: Theme.u(74)
        height: Theme.u(146)
        radius: Theme.u(30)
        color: "#2b3644"
        border.width: Theme.u(3)
        border.color: Theme.textDim

        Rectangle {
            id: okButton
            anchors.horizontalCenter: parent.horizontalCenter
            y: Theme.u(26)
            width: Theme.u(44)
            height: width
            radius: width / 2
            color: Theme.focus
            UiText {
                anchors.centerIn: parent
                text: "OK"
                color: Theme.keyline
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
            SequentialAnimation on scale {
                running: art.running
                loops: Animation.Infinite
                NumberAnimation { to: 0.82; duration: 160 }
                NumberAnimation { to: 1.0; duration: 220 }
                PauseAnimation { duration: 1100 }
            }
        }
        Column {
            anchors.horizontalCenter: parent.horizontalCenter
            y: Theme.u(86)
            spacing: Theme.u(8)
            Repeater {
                model: 2
                Row {
                    spacing: Theme.u(8)
                    Repeater {
                        model: 3
                        Rectangle { width: Theme.u(12); height: Theme.u(12); radius: Theme.u(6); color: Theme.textDim }
                    }
                }
            }
        }
    }

    Rectangle {
        id: done
        x: remote.x + remote.width + Theme.u(40)
        anchors.verticalCenter: parent.verticalCenter
        width: Theme.u(92)
        height: width
        radius: width / 2
        color: Theme.primary
        UiText {
            anchors.centerIn: parent
            text: "\u2713"
            font.pixelSize: Theme.fontHuge
            font.bold: true
        }
        SequentialAnimation on opacity {
            running: art.running
            loops: Animation.Infinite
            NumberAnimation { to: 0.35; duration: 160 }
            NumberAnimation { to: 1.0; duration: 420 }
            PauseAnimation { duration: 900 }
        }
    }
}
