pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// Choose the wallet to link: AlipayHK or DANA, each with its currency.
ScreenPage {
    id: page
    required property AppModel app
    readonly property WalletsModel wallets: app.wallets

    screenName: "wallets"
    title: app.texts.wallets_title
    initialFocus: row
    header: StatusBadges { app: page.app; showWallet: false }

    UiText {
        id: prompt
        anchors { left: parent.left; right: parent.right; top: parent.top }
        text: page.wallets.prompt
        color: Theme.textDim
    }

    ListView {
        id: row
        objectName: "walletList"
        anchors { horizontalCenter: parent.horizontalCenter; top: prompt.bottom; topMargin: Theme.u(48) }
        width: count * Theme.u(420) + Math.max(0, count - 1) * spacing
        height: Theme.u(280)
        orientation: ListView.Horizontal
        spacing: Theme.u(48)
        interactive: false
        focus: true
        keyNavigationEnabled: true
        highlightFollowsCurrentItem: false
        model: page.wallets.options
        // A model that fills after the view exists leaves no current item; pick the first.
        onCountChanged: if (count > 0 && currentIndex < 0) currentIndex = 0
        delegate: FocusScope {
            id: option
            required property int index
            required property string wallet
            required property string name
            required property string detail
            required property string price
            width: Theme.u(420)
            height: row.height
            Navigable {
                objectName: "wallet_" + option.wallet
                anchors.fill: parent
                focus: true
                onActivated: page.wallets.choose(option.index)
                Rectangle {
                    anchors.fill: parent
                    radius: Theme.radius
                    color: parent.highlighted ? Theme.surfaceFocus : Theme.surface
                }
                Column {
                    anchors.centerIn: parent
                    width: parent.width - Theme.u(48)
                    spacing: Theme.u(12)
                    UiText {
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        text: option.name
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                    }
                    UiText {
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        text: option.detail
                        color: Theme.textDim
                    }
                    UiText {
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        text: option.price
                        visible: text.length > 0
                        font.bold: true
                        color: Theme.success
                    }
                }
            }
        }
    }
}
