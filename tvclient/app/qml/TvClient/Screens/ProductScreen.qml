import QtQuick
import TvClient.Controls
import TvClient.Models

// One product: picture, description, price, the wallet it will be paid with, the safety
// state (PIN, daily cap) and the one Pay control. Unlinked, the main control links a wallet.
ScreenPage {
    id: page
    required property AppModel app
    readonly property ProductModel product: app.product

    screenName: "product"
    title: product.title
    initialFocus: product.bound ? payButton : linkButton
    header: StatusBadges { app: page.app }

    // Linking while this screen waits underneath swaps its main control.
    Connections {
        target: page.product
        function onBoundChanged() {
            if (page.product.bound)
                payButton.focus = true
            else
                linkButton.focus = true
        }
    }

    Item {
        id: left
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom }
        width: Theme.u(480)
        Rectangle {
            id: art
            width: parent.width
            height: Math.round(width * 9 / 16)
            radius: Theme.radius
            color: "#33465c"
            clip: true
            UiText {
                anchors.centerIn: parent
                text: page.product.title.length > 0 ? page.product.title.charAt(0) : ""
                font.pixelSize: Theme.fontHuge
                color: Theme.textDim
            }
            Image {
                id: picture
                anchors.fill: parent
                source: page.product.imageSource
                sourceSize.width: width
                sourceSize.height: height
                fillMode: Image.PreserveAspectCrop
                asynchronous: true
            }
        }
        UiText {
            anchors { left: parent.left; right: parent.right; top: art.bottom; topMargin: Theme.u(20) }
            text: page.product.description
            color: Theme.textDim
            maximumLineCount: 5
            elide: Text.ElideRight
        }
    }

    Column {
        id: right
        anchors {
            left: left.right; leftMargin: Theme.u(56)
            right: parent.right; rightMargin: Theme.focusMargin
            top: parent.top
        }
        spacing: Theme.u(14)

        UiText {
            objectName: "priceText"
            width: parent.width
            text: page.product.priceText
            font.pixelSize: page.product.bound ? Theme.fontHuge : Theme.fontTitle
            font.bold: true
        }
        UiText {
            objectName: "walletLine"
            width: parent.width
            text: page.product.walletLine
            visible: text.length > 0
        }
        UiText {
            objectName: "capLine"
            width: parent.width
            text: page.product.capLine
            visible: text.length > 0
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        UiText {
            objectName: "pinLine"
            width: parent.width
            text: page.product.pinLine
            visible: text.length > 0
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        UiText {
            objectName: "blockedReason"
            width: parent.width
            text: page.product.blockedReason
            visible: text.length > 0
            color: Theme.danger
        }
        Item { width: 1; height: Theme.u(8) }

        PayButton {
            id: payButton
            objectName: "payButton"
            width: parent.width
            visible: page.product.bound
            text: page.product.payLabel
            available: page.product.canPay
            holdProgress: page.product.payGuard ? page.product.payGuard.holdProgress : 0
            onPressed: (pointer) => page.product.payPressed(pointer)
            onReleased: (pointer) => page.product.payReleased(pointer)
            onAbandoned: page.product.payAbandoned()
            KeyNavigation.down: backButton
        }
        NavButton {
            id: linkButton
            objectName: "linkButton"
            width: parent.width
            visible: !page.product.bound
            primary: true
            text: page.product.linkLabel
            onActivated: page.product.link()
            KeyNavigation.down: backButton
        }
        UiText {
            objectName: "payHint"
            width: parent.width
            topPadding: Theme.u(6)
            text: page.product.payHint
            visible: text.length > 0
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        NavButton {
            id: backButton
            objectName: "backButton"
            text: page.app.texts.back_to_store
            onActivated: page.app.back()
            KeyNavigation.up: page.product.bound ? payButton : linkButton
        }
    }
}
