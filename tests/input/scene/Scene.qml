// A small stand-in for the app's screens: a store grid, a product screen with a Pay control,
// Navigable-like items that handle Return and move with KeyNavigation, and a StackView that
// goes back on Escape. Tests drive it through the input layer only.
import QtQuick
import QtQuick.Controls

Item {
    id: root
    width: 640
    height: 400

    property alias stack: stack

    function focusedName() {
        let item = Window.activeFocusItem
        return item ? item.objectName : ""
    }

    StackView {
        id: stack
        anchors.fill: parent
        focus: true
        initialItem: storePage
        onCurrentItemChanged: if (currentItem) currentItem.forceActiveFocus()
        Keys.onEscapePressed: (event) => {
            if (depth > 1) {
                pop(StackView.Immediate)
                probe.back("pop")
            } else {
                probe.back("root")
            }
            event.accepted = true
        }
        Keys.onPressed: (event) => {
            if (event.key === Qt.Key_Menu || event.key === Qt.Key_HomePage
                    || (event.key >= Qt.Key_0 && event.key <= Qt.Key_9)
                    || event.key === Qt.Key_Red || event.key === Qt.Key_Blue) {
                probe.key(event.key, event.isAutoRepeat)
                event.accepted = true
            }
        }
    }

    Component {
        id: storePage
        FocusScope {
            objectName: "store"
            Row {
                spacing: 20
                Rectangle {
                    id: tile0; objectName: "tile0"; width: 120; height: 120; focus: true
                    color: activeFocus ? "orange" : "gray"
                    KeyNavigation.right: tile1; KeyNavigation.down: more
                    Keys.onReturnPressed: { probe.activated(objectName); stack.push(productPage, {}, StackView.Immediate) }
                }
                Rectangle {
                    id: tile1; objectName: "tile1"; width: 120; height: 120
                    color: activeFocus ? "orange" : "gray"
                    KeyNavigation.left: tile0; KeyNavigation.right: tile2; KeyNavigation.down: more
                    Keys.onReturnPressed: { probe.activated(objectName); stack.push(productPage, {}, StackView.Immediate) }
                }
                Rectangle {
                    id: tile2; objectName: "tile2"; width: 120; height: 120
                    color: activeFocus ? "orange" : "gray"
                    KeyNavigation.left: tile1; KeyNavigation.right: tile3; KeyNavigation.down: more
                    Keys.onReturnPressed: { probe.activated(objectName); stack.push(productPage, {}, StackView.Immediate) }
                }
                Rectangle {
                    id: tile3; objectName: "tile3"; width: 120; height: 120
                    color: activeFocus ? "orange" : "gray"
                    KeyNavigation.left: tile2; KeyNavigation.down: more
                    Keys.onReturnPressed: { probe.activated(objectName); stack.push(productPage, {}, StackView.Immediate) }
                }
            }
            Rectangle {
                id: more; objectName: "more"; y: 200; width: 240; height: 80
                color: activeFocus ? "orange" : "gray"
                KeyNavigation.up: tile0
                Keys.onReturnPressed: probe.activated(objectName)
            }
        }
    }

    Component {
        id: productPage
        FocusScope {
            objectName: "product"
            StackView.onActivated: payGuard.arm()
            StackView.onDeactivating: payGuard.disarm()
            StackView.onRemoved: payGuard.disarm()
            Rectangle {
                id: pay; objectName: "pay"; width: 300; height: 80; focus: true
                color: activeFocus ? "orange" : "gray"
                KeyNavigation.down: cancel
                Keys.onReturnPressed: (event) => { payGuard.press(); event.accepted = true }
                Keys.onReleased: (event) => {
                    if (event.key === Qt.Key_Return) { payGuard.release(); event.accepted = true }
                }
                onActiveFocusChanged: if (!activeFocus) payGuard.cancel()
            }
            Rectangle {
                id: cancel; objectName: "cancel"; y: 120; width: 300; height: 80
                color: activeFocus ? "orange" : "gray"
                KeyNavigation.up: pay
                Keys.onReturnPressed: probe.activated(objectName)
            }
        }
    }
}
