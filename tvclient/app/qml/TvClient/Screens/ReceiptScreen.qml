pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// The receipt: item, amount, wallet, order reference and time.
ScreenPage {
    id: page
    required property AppModel app
    readonly property PurchaseModel purchase: app.purchase

    screenName: "receipt"
    title: purchase.title
    initialFocus: doneButton
    header: StatusBadges { app: page.app }

    Rectangle {
        id: card
        anchors { horizontalCenter: parent.horizontalCenter; top: parent.top }
        width: Math.min(parent.width, Theme.u(900))
        height: table.implicitHeight + 2 * Theme.u(32)
        radius: Theme.radius
        color: Theme.surface
        Column {
            id: table
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.u(32) }
            spacing: Theme.u(14)
            Repeater {
                model: page.purchase.receiptRows
                Row {
                    id: line
                    required property var modelData
                    width: table.width
                    spacing: Theme.u(24)
                    UiText {
                        width: Theme.u(280)
                        text: line.modelData.label
                        color: Theme.textDim
                    }
                    UiText {
                        objectName: "receipt_" + line.modelData.key
                        width: line.width - Theme.u(304)
                        text: line.modelData.value
                        font.bold: line.modelData.key === "amount"
                    }
                }
            }
        }
    }
    NavButton {
        id: doneButton
        objectName: "doneButton"
        anchors { horizontalCenter: parent.horizontalCenter; top: card.bottom; topMargin: Theme.u(32) }
        primary: true
        text: page.app.texts.done_button
        onActivated: page.purchase.done()
    }
}
