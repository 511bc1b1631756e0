import QtQuick
import TvClient.Controls
import TvClient.Models

// The wallet is linked: the masked account, then on to what the buyer wanted.
ScreenPage {
    id: page
    required property AppModel app
    readonly property BindModel bind: app.bind

    screenName: "bound"
    title: bind.boundTitle
    initialFocus: continueButton
    header: StatusBadges { app: page.app }

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width, Theme.u(820))
        spacing: Theme.u(24)
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Theme.u(120); height: width; radius: width / 2
            color: Theme.primary
            UiText {
                anchors.centerIn: parent
                text: "\u2713"
                font.pixelSize: Theme.u(72)
                font.bold: true
            }
        }
        UiText {
            objectName: "boundAccount"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: page.bind.boundAccount
            font.pixelSize: Theme.fontLarge
        }
        UiText {
            objectName: "boundNext"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: page.bind.continueText
            color: Theme.textDim
        }
        NavButton {
            id: continueButton
            objectName: "continueButton"
            anchors.horizontalCenter: parent.horizontalCenter
            primary: true
            text: page.app.texts.continue_button
            onActivated: page.bind.proceed()
        }
    }
}
