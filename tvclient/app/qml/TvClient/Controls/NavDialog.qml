import QtQuick

// A modal question over the whole window: title, message and a row of buttons. While open it
// holds the focus (arrows move between its buttons only); whoever opened it restores focus
// when `closed` fires. Back is not handled here: it bubbles to the one Back handler in Main.
FocusScope {
    id: dialog

    property bool open: false
    property string title
    property string message
    property var buttons: []
    property int defaultIndex: 0

    signal chosen(int index)
    signal closed()

    anchors.fill: parent
    visible: open
    z: 100

    onOpenChanged: {
        if (open) {
            forceActiveFocus()
            focusButton(Math.min(defaultIndex, buttons.length - 1))
        } else {
            closed()
        }
    }

    function focusButton(i: int) {
        const item = repeater.itemAt(i)
        if (item)
            item.forceActiveFocus()
    }

    Rectangle { anchors.fill: parent; color: Theme.scrim }
    MouseArea { anchors.fill: parent }   // swallow clicks meant for the screen behind

    Rectangle {
        id: panel
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.safeX, Theme.u(820))
        height: column.implicitHeight + 2 * Theme.u(40)
        radius: Theme.radius * 2
        color: Theme.surface
        border.width: Theme.u(2)
        border.color: Theme.textDim

        Column {
            id: column
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.u(40) }
            spacing: Theme.u(24)
            UiText {
                width: parent.width
                text: dialog.title
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
            UiText {
                width: parent.width
                text: dialog.message
                color: Theme.textDim
                visible: text.length > 0
            }
            Row {
                spacing: Theme.u(28)
                anchors.horizontalCenter: parent.horizontalCenter
                Repeater {
                    id: repeater
                    model: dialog.buttons
                    NavButton {
                        required property int index
                        required property string modelData
                        objectName: "dialogButton" + index
                        text: modelData
                        primary: index === dialog.defaultIndex
                        onActivated: dialog.chosen(index)
                        KeyNavigation.left: index > 0 ? repeater.itemAt(index - 1) : null
                        KeyNavigation.right: index < repeater.count - 1 ? repeater.itemAt(index + 1) : null
                    }
                }
            }
        }
    }
}
