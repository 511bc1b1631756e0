import QtQuick
import TvClient.Controls

// One step of the attract loop's story: a picture, a number, a title and one sentence. The
// step being told is lit; the others wait, dimmed.
Rectangle {
    id: card

    property int number: 1
    property string title
    property string text
    property bool current: false
    default property alias art: artArea.data

    width: Theme.u(360)
    height: Theme.u(340)
    radius: Theme.radius * 2
    color: current ? Theme.surfaceFocus : Theme.surface
    border.width: current ? Theme.u(4) : Theme.u(2)
    border.color: current ? Theme.success : Theme.outline
    opacity: current ? 1.0 : 0.55
    scale: current ? 1.03 : 1.0
    Behavior on opacity { NumberAnimation { duration: 400 } }
    Behavior on scale { NumberAnimation { duration: 400; easing.type: Easing.OutCubic } }

    Item {
        id: artArea
        x: Theme.u(16)
        y: Theme.u(14)
        width: parent.width - 2 * Theme.u(16)
        height: Theme.u(140)
    }

    Rectangle {
        id: badge
        x: Theme.u(20)
        y: artArea.y + artArea.height + Theme.u(14)
        width: Theme.u(40)
        height: width
        radius: width / 2
        color: card.current ? Theme.primary : Theme.outline
        UiText {
            anchors.centerIn: parent
            text: card.number
            font.pixelSize: Theme.fontSmall
            font.bold: true
        }
    }
    UiText {
        id: heading
        anchors.left: badge.right
        anchors.leftMargin: Theme.u(12)
        anchors.right: parent.right
        anchors.rightMargin: Theme.u(20)
        y: badge.y + (badge.height - Math.min(implicitHeight, badge.height + 30)) / 2
        text: card.title
        font.pixelSize: Theme.fontBody
        font.bold: true
        maximumLineCount: 2
        elide: Text.ElideRight
        lineHeight: 0.95
    }

    UiText {
        x: Theme.u(20)
        y: Math.max(badge.y + badge.height, heading.y + heading.height) + Theme.u(10)
        width: card.width - 2 * Theme.u(20)
        text: card.text
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
        maximumLineCount: 3
        elide: Text.ElideRight
    }
}
