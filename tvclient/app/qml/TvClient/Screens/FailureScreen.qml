import QtQuick
import TvClient.Controls
import TvClient.Models

// Something did not work: a reason a buyer understands and the next step.
ScreenPage {
    id: page
    required property AppModel app
    readonly property PurchaseModel purchase: app.purchase

    screenName: "failure"
    title: purchase.failureTitle
    initialFocus: actionButton
    header: StatusBadges { app: page.app }

    Column {
        anchors {
            left: parent.left; leftMargin: Theme.focusMargin
            right: parent.right; rightMargin: Theme.focusMargin
            top: parent.top; topMargin: Theme.u(24)
        }
        spacing: Theme.u(24)
        UiText {
            objectName: "failureReason"
            width: Math.min(parent.width, Theme.u(1000))
            text: page.purchase.failureReason
            font.pixelSize: Theme.fontLarge
        }
        UiText {
            objectName: "failureNextStep"
            width: Math.min(parent.width, Theme.u(1000))
            text: page.purchase.failureNextStep
            color: Theme.textDim
        }
        Item { width: 1; height: Theme.u(16) }
        Row {
            spacing: Theme.u(28)
            NavButton {
                id: actionButton
                objectName: "failureAction"
                primary: true
                text: page.purchase.failureActionLabel
                onActivated: page.purchase.failureAction()
                KeyNavigation.right: storeButton
            }
            NavButton {
                id: storeButton
                objectName: "storeButton"
                visible: page.purchase.failureShowsStore
                text: page.app.texts.back_to_store
                onActivated: page.app.goHome()
                KeyNavigation.left: actionButton
            }
        }
    }
}
