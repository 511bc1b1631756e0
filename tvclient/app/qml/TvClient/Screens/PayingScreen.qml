import QtQuick
import TvClient.Controls
import TvClient.Models

// Waiting for the payment's outcome. An unknown outcome says "checking with your wallet"
// until it is final; this screen never shows a failure by itself.
ScreenPage {
    id: page
    required property AppModel app
    readonly property PurchaseModel purchase: app.purchase

    screenName: "paying"
    title: purchase.title
    header: StatusBadges { app: page.app }
    focus: true

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width, Theme.u(860))
        spacing: Theme.u(28)
        Spinner {
            anchors.horizontalCenter: parent.horizontalCenter
            running: true
        }
        UiText {
            objectName: "payingStatus"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: page.purchase.statusText
            font.pixelSize: Theme.fontLarge
            font.bold: true
        }
        UiText {
            objectName: "payingDetail"
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: page.purchase.detailText
            color: Theme.textDim
        }
    }
}
