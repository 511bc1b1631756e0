import QtQuick

// The focus indicator drawn around its parent while `shown`.
Rectangle {
    id: ring
    property bool shown: false
    property real innerRadius: Theme.radius
    readonly property int thickness: border.width
    readonly property color ringColor: border.color
    anchors.fill: parent
    anchors.margins: -(Theme.focusGap + Theme.focusRing)
    radius: innerRadius + Theme.focusGap + Theme.focusRing
    color: "transparent"
    border.width: Theme.focusRing
    border.color: Theme.focus
    visible: shown
    Rectangle {
        anchors.fill: parent
        anchors.margins: Theme.focusRing
        radius: ring.radius - Theme.focusRing
        color: "transparent"
        border.width: Theme.focusKeyline
        border.color: Theme.keyline
    }
    Rectangle {
        anchors.fill: parent
        anchors.margins: -Theme.focusKeyline
        radius: ring.radius + Theme.focusKeyline
        color: "transparent"
        border.width: Theme.focusKeyline
        border.color: Theme.keyline
    }
}
