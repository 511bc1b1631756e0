import QtQuick

// A small label on a coloured pill (DEMO, the linked wallet).
Rectangle {
    id: badge
    property string text
    property color textColor: Theme.text
    property bool bold: false
    implicitHeight: Theme.u(44)
    implicitWidth: label.implicitWidth + 2 * Theme.u(18)
    radius: height / 2
    color: Theme.surface
    UiText {
        id: label
        anchors.centerIn: parent
        text: badge.text
        color: badge.textColor
        font.pixelSize: Theme.fontSmall
        font.bold: badge.bold
        wrapMode: Text.NoWrap
    }
}
