pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// The account: linked wallet (link / unlink), language, purchase PIN, daily spending cap,
// and the purchase history.
ScreenPage {
    id: page
    required property AppModel app
    readonly property AccountModel account: app.account

    screenName: "account"
    title: app.texts.account_title
    initialFocus: walletButton
    header: StatusBadges { app: page.app; showWallet: false }

    Column {
        id: left
        anchors { left: parent.left; leftMargin: Theme.focusMargin; top: parent.top }
        width: Theme.u(520)
        spacing: Theme.u(16)

        UiText {
            text: page.app.texts.account_wallet_heading
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        UiText {
            objectName: "accountWallet"
            width: parent.width
            text: page.account.walletText
            font.pixelSize: Theme.fontLarge
            font.bold: true
        }
        UiText {
            objectName: "accountNote"
            width: parent.width
            text: page.account.walletNote
            visible: text.length > 0
            color: Theme.focus
            font.pixelSize: Theme.fontSmall
        }
        NavButton {
            id: walletButton
            objectName: page.account.bound ? "unlinkButton" : "linkWalletButton"
            width: parent.width
            text: page.account.bound ? page.app.texts.account_unlink : page.app.texts.account_link
            onActivated: page.account.bound ? page.account.unlink() : page.account.link()
            KeyNavigation.down: languageButton
            KeyNavigation.right: history.count > 0 ? history : null
        }
        Item { width: 1; height: Theme.u(8) }
        UiText {
            text: page.app.texts.account_settings_heading
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        NavButton {
            id: languageButton
            objectName: "languageButton"
            width: parent.width
            horizontalAlignment: Text.AlignLeft
            text: page.account.languageText
            onActivated: page.account.nextLanguage()
            KeyNavigation.up: walletButton
            KeyNavigation.down: pinButton
            KeyNavigation.right: history.count > 0 ? history : null
        }
        NavButton {
            id: pinButton
            objectName: "pinButton"
            width: parent.width
            horizontalAlignment: Text.AlignLeft
            text: page.account.pinText
            onActivated: page.account.changePin()
            KeyNavigation.up: languageButton
            KeyNavigation.down: capButton
            KeyNavigation.right: history.count > 0 ? history : null
        }
        NavButton {
            id: capButton
            objectName: "capButton"
            width: parent.width
            horizontalAlignment: Text.AlignLeft
            text: page.account.capText
            available: page.account.capAvailable
            onActivated: page.account.nextCap()
            KeyNavigation.up: pinButton
            KeyNavigation.right: history.count > 0 ? history : null
        }
    }

    Item {
        id: right
        anchors {
            left: left.right; leftMargin: Theme.u(48)
            right: parent.right; rightMargin: Theme.focusMargin
            top: parent.top; bottom: parent.bottom; bottomMargin: Theme.focusMargin
        }
        UiText {
            id: historyTitle
            text: page.app.texts.account_history_heading
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
        }
        UiText {
            anchors { left: parent.left; right: parent.right; top: historyTitle.bottom; topMargin: Theme.u(16) }
            text: page.account.historyNote
            visible: history.count === 0
            color: Theme.textDim
        }
        // Focusable so a remote can scroll it; Left goes back to the settings.
        ListView {
            id: history
            objectName: "historyList"
            anchors { left: parent.left; right: parent.right; top: historyTitle.bottom; topMargin: Theme.u(16); bottom: parent.bottom }
            clip: true
            spacing: Theme.u(10)
            keyNavigationEnabled: true
            highlightFollowsCurrentItem: true
            model: page.account.history
            // A model that fills after the view exists leaves no current item; pick the first.
            onCountChanged: if (count > 0 && currentIndex < 0) currentIndex = 0
            KeyNavigation.left: walletButton
            delegate: Rectangle {
                id: entry
                required property int index
                required property string item
                required property string amount
                required property string time
                required property string status
                width: history.width
                height: Theme.u(84)
                radius: Theme.radius
                color: ListView.isCurrentItem && history.activeFocus ? Theme.surfaceFocus : Theme.surface
                border.width: ListView.isCurrentItem && history.activeFocus ? Theme.focusRing : 0
                border.color: Theme.focus
                UiText {
                    anchors { left: parent.left; leftMargin: Theme.u(20); top: parent.top; topMargin: Theme.u(10) }
                    width: parent.width * 0.6
                    text: entry.item
                    maximumLineCount: 1
                    elide: Text.ElideRight
                }
                UiText {
                    anchors { left: parent.left; leftMargin: Theme.u(20); bottom: parent.bottom; bottomMargin: Theme.u(10) }
                    text: entry.time
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
                UiText {
                    anchors { right: parent.right; rightMargin: Theme.u(20); top: parent.top; topMargin: Theme.u(10) }
                    text: entry.amount
                    font.bold: true
                }
                UiText {
                    anchors { right: parent.right; rightMargin: Theme.u(20); bottom: parent.bottom; bottomMargin: Theme.u(10) }
                    text: entry.status
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
            }
        }
    }
}
