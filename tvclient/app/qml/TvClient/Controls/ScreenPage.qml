import QtQuick

// The base of every screen: a focus scope laid out inside the overscan-safe area, with the
// screen's title at the top. Content goes into `content` (children of the page go there).
FocusScope {
    id: page
    property string title
    property string screenName
    // The item that gets focus when the screen appears for the first time.
    property Item initialFocus
    default property alias content: body.data
    property alias header: headerRow.data

    objectName: "screen_" + screenName

    Component.onCompleted: if (initialFocus) initialFocus.focus = true

    Item {
        id: safe
        objectName: "safeArea"
        anchors.fill: parent
        anchors.leftMargin: Theme.safeX
        anchors.rightMargin: Theme.safeX
        anchors.topMargin: Theme.safeY
        anchors.bottomMargin: Theme.safeY

        UiText {
            id: titleText
            anchors {
                left: parent.left; top: parent.top; topMargin: Theme.u(8)
                right: headerRow.left; rightMargin: Theme.spacing
            }
            height: Theme.u(64)
            verticalAlignment: Text.AlignVCenter
            text: page.title
            font.pixelSize: Theme.fontTitle
            font.bold: true
            // Long titles (failure reasons, long product names) shrink before they elide.
            fontSizeMode: Text.HorizontalFit
            minimumPixelSize: Theme.fontLarge
            wrapMode: Text.NoWrap
            maximumLineCount: 1
            elide: Text.ElideRight
        }
        Row {
            id: headerRow
            // Inset so a focused header button keeps its ring inside the safe area.
            anchors { right: parent.right; rightMargin: Theme.focusMargin; verticalCenter: titleText.verticalCenter }
            spacing: Theme.u(16)
        }
        Item {
            id: body
            anchors { left: parent.left; right: parent.right; top: titleText.bottom; bottom: parent.bottom }
            anchors.topMargin: Theme.u(12)
        }
    }
}
