import QtQuick

// A catalog tile: picture, title and price. Used as a GridView delegate, where the view sets
// `highlighted` for its current item.
Navigable {
    id: tile
    property string title
    property string subtitle
    property string imageSource
    property string placeholder: title.length > 0 ? title.charAt(0) : ""

    implicitWidth: Theme.u(254)
    implicitHeight: Theme.u(238)

    Rectangle {
        id: card
        anchors.fill: parent
        radius: tile.radius
        color: tile.highlighted ? Theme.surfaceFocus : Theme.surface
        clip: true

        Rectangle {
            id: art
            anchors { left: parent.left; right: parent.right; top: parent.top }
            height: Math.round(width / 2)
            radius: tile.radius
            color: "#33465c"
            UiText {
                anchors.centerIn: parent
                text: tile.placeholder
                font.pixelSize: Theme.fontHuge
                color: Theme.textDim
            }
            Image {
                id: picture
                objectName: "tileImage"
                anchors.fill: parent
                source: tile.imageSource
                sourceSize.width: width
                sourceSize.height: height
                fillMode: Image.PreserveAspectCrop
                asynchronous: true
                cache: true
            }
        }
        UiText {
            id: titleText
            anchors { left: parent.left; right: parent.right; top: art.bottom }
            anchors.margins: Theme.u(12)
            text: tile.title
            font.pixelSize: Theme.fontBody
            maximumLineCount: 1
            elide: Text.ElideRight
        }
        UiText {
            anchors { left: parent.left; right: parent.right; top: titleText.bottom }
            anchors.leftMargin: Theme.u(12)
            anchors.rightMargin: Theme.u(12)
            anchors.topMargin: Theme.u(2)
            text: tile.subtitle
            font.pixelSize: Theme.fontSmall
            font.bold: true
            color: Theme.success
            lineHeight: 1.05
            maximumLineCount: 2
            elide: Text.ElideRight
        }
    }
}
