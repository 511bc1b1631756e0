import QtQuick
import TvClient.Controls
import TvClient.BoothModels

// "Still there?": the visitor's screen stays visible behind a light scrim while the seconds
// run out. Any input cancels (the booth's filter); nothing here takes focus.
Item {
    id: panel

    required property BoothModel booth
    readonly property var tx: booth.texts

    Rectangle { anchors.fill: parent; color: "#a6000000" }

    Rectangle {
        id: box
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.safeX, Theme.u(820))
        height: content.implicitHeight + 2 * Theme.u(40)
        radius: Theme.radius * 2
        color: Theme.surface
        border.width: Theme.u(3)
        border.color: Theme.focus

        Column {
            id: content
            x: Theme.u(40)
            y: Theme.u(40)
            width: box.width - 2 * Theme.u(40)
            spacing: Theme.u(22)

            Row {
                spacing: Theme.u(32)
                Rectangle {
                    width: Theme.u(128)
                    height: width
                    radius: width / 2
                    color: Theme.background
                    border.width: Theme.u(8)
                    border.color: Theme.focus
                    UiText {
                        objectName: "countdownSeconds"
                        anchors.centerIn: parent
                        text: panel.booth.secondsLeft
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                    }
                }
                Column {
                    anchors.verticalCenter: parent.verticalCenter
                    width: content.width - Theme.u(160)
                    spacing: Theme.u(12)
                    UiText {
                        width: parent.width
                        text: panel.tx.countdown_title || ""
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                    }
                    UiText {
                        objectName: "countdownMessage"
                        width: parent.width
                        text: (panel.tx.countdown_message || "").replace("{seconds}", panel.booth.secondsLeft)
                        color: Theme.textDim
                    }
                }
            }

            Rectangle {
                width: parent.width
                height: Theme.u(12)
                radius: height / 2
                color: Theme.background
                Rectangle {
                    height: parent.height
                    radius: parent.radius
                    color: Theme.focus
                    width: parent.width * Math.max(0, panel.booth.secondsLeft) / Math.max(1, panel.booth.countdown)
                    Behavior on width { NumberAnimation { duration: 900 } }
                }
            }

            UiText {
                width: parent.width
                text: panel.tx.countdown_hint || ""
                font.pixelSize: Theme.fontLarge
                font.bold: true
                horizontalAlignment: Text.AlignHCenter
            }
        }
    }
}
