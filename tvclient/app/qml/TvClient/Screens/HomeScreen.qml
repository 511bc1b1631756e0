pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// The store: the catalog as a grid of tiles, the linked wallet in the header.
ScreenPage {
    id: page
    required property AppModel app
    readonly property StoreModel store: app.store

    screenName: "home"
    title: app.texts.store_title
    initialFocus: grid

    header: [
        StatusBadges { app: page.app },
        NavButton {
            id: accountButton
            objectName: "accountButton"
            text: page.app.texts.account_button
            implicitHeight: Theme.u(52)
            fontSize: Theme.fontSmall
            onActivated: page.app.openAccount()
            KeyNavigation.down: grid
        }
    ]

    UiText {
        id: notice
        objectName: "storeNotice"
        anchors { left: parent.left; right: parent.right; top: parent.top }
        text: page.store.notice
        visible: text.length > 0
        color: Theme.focus
        font.pixelSize: Theme.fontBody
    }

    UiText {
        anchors.centerIn: parent
        visible: grid.count === 0
        text: page.store.loading ? page.app.texts.store_loading : page.app.texts.store_empty
        color: Theme.textDim
    }

    GridView {
        id: grid
        objectName: "catalogGrid"
        anchors {
            left: parent.left; right: parent.right; bottom: parent.bottom
            top: notice.visible ? notice.bottom : parent.top
            topMargin: Theme.u(20)
        }
        // Room around the tiles so a focused (grown) tile stays inside the safe area.
        leftMargin: Theme.u(12)
        topMargin: Theme.u(12)
        cellWidth: Math.floor((width - Theme.u(24)) / 4)
        cellHeight: Theme.u(284)
        clip: false
        focus: true
        keyNavigationEnabled: true
        highlightFollowsCurrentItem: false
        model: page.store.products
        KeyNavigation.up: accountButton
        KeyNavigation.priority: KeyNavigation.AfterItem

        delegate: FocusScope {
            id: cell
            required property int index
            required property string productId
            required property string title
            required property string priceText
            required property string imageSource
            width: grid.cellWidth
            height: grid.cellHeight
            NavTile {
                objectName: "tile_" + cell.productId
                anchors.fill: parent
                anchors.margins: Theme.u(12)
                focus: true
                title: cell.title
                subtitle: cell.priceText
                imageSource: cell.imageSource
                onActivated: page.store.open(cell.index)
            }
        }
    }
}
