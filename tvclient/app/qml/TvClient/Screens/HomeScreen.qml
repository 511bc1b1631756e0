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
        }
        // Room around the tiles so a focused (grown, ringed) tile stays inside the safe area.
        leftMargin: Theme.focusMargin
        rightMargin: Theme.focusMargin
        topMargin: Theme.focusMargin
        bottomMargin: Theme.focusMargin
        cellWidth: Math.floor((width - 2 * Theme.focusMargin) / 4)
        cellHeight: Theme.u(262)
        clip: true
        focus: true
        keyNavigationEnabled: true
        model: page.store.products
        // A model that fills after the view exists leaves no current item; pick the first.
        onCountChanged: if (count > 0 && currentIndex < 0) currentIndex = 0
        KeyNavigation.up: accountButton
        KeyNavigation.priority: KeyNavigation.AfterItem

        // Down into a shorter last row lands on its last tile instead of doing nothing.
        readonly property int columns: Math.max(1, Math.floor((width - leftMargin - rightMargin) / cellWidth))
        Keys.onDownPressed: (event) => {
            const row = Math.floor(currentIndex / columns)
            const lastRow = Math.floor((count - 1) / columns)
            if (currentIndex + columns < count)
                moveCurrentIndexDown()
            else if (row < lastRow)
                currentIndex = count - 1
            else
                event.accepted = false
        }

        delegate: FocusScope {
            id: cell
            required property int index
            required property string productId
            required property string title
            required property string priceText
            required property string imageSource
            width: grid.cellWidth
            height: grid.cellHeight
            // The view only hands focus to a current item it creates; keep it on the current
            // one when the catalog arrives after the screen.
            focus: GridView.isCurrentItem
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
