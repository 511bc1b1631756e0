pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import TvClient.Controls
import TvClient.Models

// The window: one StackView of screens that replays the Python navigator, the overlays
// (offline, dialogs, PIN) above it, and the one place that handles Back, Menu and Home.
Window {
    id: window

    required property AppModel app

    width: 1280
    height: 720
    color: Theme.background
    title: window.app.windowTitle

    Binding { target: Theme; property: "scale"; value: Math.max(0.25, window.height / 720) }
    onActiveChanged: if (active) restoreFocus()
    Binding { target: Theme; property: "fontFamily"; value: window.app.fontFamily }

    function screen(name: string): Component {
        switch (name) {
        case "language": return languageScreen
        case "home": return homeScreen
        case "product": return productScreen
        case "wallets": return walletScreen
        case "scan": return scanScreen
        case "bound": return boundScreen
        case "paying": return payingScreen
        case "receipt": return receiptScreen
        case "failure": return failureScreen
        case "account": return accountScreen
        }
        console.error("no screen named", name)
        return homeScreen
    }

    // Focus goes to the topmost thing on show: a dialog, the offline notice, or the screen.
    function restoreFocus() {
        if (dialog.open)
            return
        if (pinDialog.open)
            pinDialog.forceActiveFocus()
        else if (offline.shown)
            offline.forceActiveFocus()
        else if (stack.currentItem)
            stack.currentItem.forceActiveFocus()
    }

    FocusScope {
        id: root
        objectName: "root"
        anchors.fill: parent
        focus: true

        Keys.onPressed: (event) => {
            switch (event.key) {
            case Qt.Key_Escape:
            case Qt.Key_Back:
            case Qt.Key_Backspace:
                event.accepted = true
                if (!event.isAutoRepeat)
                    window.app.back()
                break
            case Qt.Key_Menu:
                event.accepted = true
                if (!event.isAutoRepeat)
                    window.app.menu()
                break
            case Qt.Key_HomePage:
            case Qt.Key_Home:
                event.accepted = true
                if (!event.isAutoRepeat)
                    window.app.goHome()
                break
            }
        }

        StackView {
            id: stack
            objectName: "stack"
            anchors.fill: parent
            focus: true

            onCurrentItemChanged: window.restoreFocus()

            pushEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 120 } }
            pushExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 120 } }
            popEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 120 } }
            popExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 120 } }
            replaceEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 120 } }
            replaceExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 120 } }

            Component.onCompleted: {
                const initial = window.app.nav.initial.map(name => window.screen(name))
                stack.replace(null, initial, {}, StackView.Immediate)
            }
        }

        Connections {
            target: window.app.nav
            function onChanged(op: string, screens: var) {
                if (op === "push")
                    stack.push(window.screen(screens[0]))
                else if (op === "pop")
                    stack.pop()
                else if (op === "replace")
                    stack.replace(window.screen(screens[0]))
                else if (op === "reset")
                    stack.replace(null, screens.map(name => window.screen(name)))
            }
        }

        OfflineOverlay {
            id: offline
            objectName: "offline"
            model: window.app.connection
            onShownChanged: window.restoreFocus()
        }

        PinDialog {
            id: pinDialog
            objectName: "pinDialog"
            model: window.app.pin
            onOpenChanged: window.restoreFocus()
        }

        NavDialog {
            id: dialog
            objectName: "dialog"
            open: window.app.dialog.open
            title: window.app.dialog.title
            message: window.app.dialog.message
            buttons: window.app.dialog.buttons
            defaultIndex: window.app.dialog.defaultIndex
            onChosen: (index) => window.app.dialog.choose(index)
            onClosed: window.restoreFocus()
        }
    }

    Component { id: languageScreen; LanguageScreen { app: window.app } }
    Component { id: homeScreen; HomeScreen { app: window.app } }
    Component { id: productScreen; ProductScreen { app: window.app } }
    Component { id: walletScreen; WalletScreen { app: window.app } }
    Component { id: scanScreen; ScanScreen { app: window.app } }
    Component { id: boundScreen; BoundScreen { app: window.app } }
    Component { id: payingScreen; PayingScreen { app: window.app } }
    Component { id: receiptScreen; ReceiptScreen { app: window.app } }
    Component { id: failureScreen; FailureScreen { app: window.app } }
    Component { id: accountScreen; AccountScreen { app: window.app } }
}
