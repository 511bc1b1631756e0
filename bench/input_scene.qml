// The input-latency benchmark's scene: a row of focusable tiles that changes colour with focus,
// like the store grid. Focus bounces left and right; every move must be rendered.
import QtQuick

Rectangle {
    width: 1280
    height: 720
    color: "#101418"

    Row {
        anchors.centerIn: parent
        spacing: 24
        Repeater {
            id: tiles
            model: 6
            Rectangle {
                required property int index
                objectName: "tile" + index
                width: 160
                height: 220
                radius: 12
                focus: index === 0
                color: activeFocus ? "#ffb000" : "#2a3340"
                border.width: activeFocus ? 8 : 0
                border.color: "white"
                scale: activeFocus ? 1.08 : 1.0
                Keys.onRightPressed: if (index + 1 < tiles.count) tiles.itemAt(index + 1).forceActiveFocus()
                Keys.onLeftPressed: if (index > 0) tiles.itemAt(index - 1).forceActiveFocus()
                Text {
                    anchors.centerIn: parent
                    text: "Item " + (parent.index + 1)
                    color: "white"
                    font.pixelSize: 28
                }
            }
        }
    }
}
