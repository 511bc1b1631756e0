import QtQuick
import TvClient.Controls
import TvClient.Models

// The backend cannot be reached: say so, count down to the next try, recover by itself.
FocusScope {
    id: overlay
    required property ConnectionModel model
    readonly property bool shown: model.offline

    anchors.fill: parent
    visible: shown
    z: 50

    Rectangle { anchors.fill: parent; color: Theme.background }
    MouseArea { anchors.fill: parent }

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.safeX, Theme.u(900))
        spacing: Theme.u(28)
        UiText {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: overlay.model.title
            font.pixelSize: Theme.fontTitle
            font.bold: true
        }
        UiText {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: overlay.model.message
            color: Theme.textDim
        }
        UiText {
            objectName: "offlineCountdown"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: overlay.model.countdownText
            font.pixelSize: Theme.fontLarge
            color: Theme.focus
        }
        NavButton {
            objectName: "retryButton"
            anchors.horizontalCenter: parent.horizontalCenter
            focus: true
            text: overlay.model.retryLabel
            onActivated: overlay.model.retryNow()
        }
    }
}
