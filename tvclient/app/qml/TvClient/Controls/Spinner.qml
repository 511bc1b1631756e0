import QtQuick

// A busy indicator: an arc that turns while `running`.
Item {
    id: spinner
    property bool running: true
    property color color: Theme.focus
    implicitWidth: Theme.u(96)
    implicitHeight: implicitWidth

    Repeater {
        model: 8
        Rectangle {
            required property int index
            width: spinner.width * 0.16
            height: width
            radius: width / 2
            color: spinner.color
            opacity: 0.25 + 0.75 * index / 7
            x: spinner.width / 2 - width / 2 + Math.cos(index * Math.PI / 4) * spinner.width * 0.4
            y: spinner.height / 2 - height / 2 + Math.sin(index * Math.PI / 4) * spinner.width * 0.4
        }
    }
    RotationAnimation on rotation {
        running: spinner.running && spinner.visible
        from: 0; to: 360; duration: 1200
        loops: Animation.Infinite
    }
}
