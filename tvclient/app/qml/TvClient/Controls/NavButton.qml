import QtQuick

// A button with a text label; `primary` marks the one main action of a screen.
Navigable {
    id: button
    property string text
    property bool primary: false
    property int fontSize: Theme.fontBody
    property int horizontalAlignment: Text.AlignHCenter

    implicitHeight: Theme.controlHeight
    implicitWidth: Math.max(Theme.u(180), label.implicitWidth + 2 * Theme.u(32))

    Rectangle {
        anchors.fill: parent
        radius: button.radius
        color: !button.available ? Theme.surface
             : button.primary ? (button.highlighted ? Theme.primaryFocus : Theme.primary)
             : (button.highlighted ? Theme.surfaceFocus : Theme.surface)
        // An outline keeps a secondary button visible on a panel of its own colour.
        border.width: button.primary ? 0 : Theme.u(2)
        border.color: Theme.outline
    }
    UiText {
        id: label
        anchors.verticalCenter: parent.verticalCenter
        x: button.horizontalAlignment === Text.AlignLeft ? Theme.u(24) : (button.width - width) / 2
        width: Math.min(implicitWidth, button.width - 2 * Theme.u(24))
        text: button.text
        font.pixelSize: button.fontSize
        font.bold: button.primary
        color: button.available ? Theme.text : Theme.textDisabled
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.NoWrap
        elide: Text.ElideRight
    }
}
