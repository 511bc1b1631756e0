pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// Scan to bind: a large QR with its quiet zone, the wallet's steps, a countdown to expiry and a
// fresh code once it lapses. Back cancels the bind session.
ScreenPage {
    id: page
    required property AppModel app
    readonly property BindModel bind: app.bind

    screenName: "scan"
    title: bind.title
    initialFocus: cancelButton
    header: StatusBadges { app: page.app; showWallet: false }

    // A lapsed code puts "Get a new code" under the buyer's thumb.
    Connections {
        target: page.bind
        function onViewChanged() {
            if (page.bind.phase === "expired" && !renewButton.activeFocus)
                renewButton.forceActiveFocus()
        }
    }

    Rectangle {
        id: qrFrame
        objectName: "qrFrame"
        anchors { left: parent.left; top: parent.top }
        width: Math.min(parent.height, Theme.u(520))
        height: width
        radius: Theme.radius
        color: "#ffffff"

        Image {
            id: qr
            objectName: "qrImage"
            anchors.centerIn: parent
            // Whole-pixel modules: draw at the frame's size and never smooth.
            sourceSize.width: qrFrame.width - Theme.u(16)
            sourceSize.height: qrFrame.height - Theme.u(16)
            fillMode: Image.Pad
            smooth: false
            asynchronous: true
            cache: false
            source: page.bind.qrSource
            visible: page.bind.phase === "waiting"
        }
        Spinner {
            anchors.centerIn: parent
            color: "#1b2430"
            running: page.bind.phase === "preparing"
            visible: running
        }
        Rectangle {
            anchors.fill: parent
            radius: Theme.radius
            color: "#e6ffffff"
            visible: page.bind.phase === "expired"
            UiText {
                anchors.centerIn: parent
                width: parent.width - Theme.u(48)
                horizontalAlignment: Text.AlignHCenter
                text: page.bind.statusText
                color: "#000000"
                font.pixelSize: Theme.fontLarge
                font.bold: true
            }
        }
    }

    Column {
        id: side
        anchors { left: qrFrame.right; leftMargin: Theme.u(48); right: parent.right; top: parent.top }
        spacing: Theme.u(16)

        Repeater {
            model: page.bind.steps
            Row {
                id: stepRow
                required property int index
                required property string modelData
                width: side.width
                spacing: Theme.u(16)
                Rectangle {
                    width: Theme.u(44); height: width; radius: width / 2
                    color: Theme.surfaceFocus
                    UiText {
                        anchors.centerIn: parent
                        text: String(stepRow.index + 1)
                        font.bold: true
                    }
                }
                UiText {
                    width: stepRow.width - Theme.u(60)
                    anchors.verticalCenter: parent.verticalCenter
                    text: stepRow.modelData
                }
            }
        }
        Item { width: 1; height: Theme.u(8) }
        UiText {
            objectName: "countdownText"
            width: parent.width
            text: page.bind.countdownText
            visible: text.length > 0
            font.pixelSize: Theme.fontLarge
            font.bold: true
            color: Theme.focus
        }
        UiText {
            objectName: "scanStatus"
            width: parent.width
            text: page.bind.phase === "expired" ? "" : page.bind.statusText
            visible: text.length > 0
            color: Theme.textDim
        }
        Item { width: 1; height: Theme.u(8) }
        Row {
            spacing: Theme.u(24)
            NavButton {
                id: renewButton
                objectName: "renewButton"
                text: page.app.texts.scan_new_code
                primary: true
                visible: page.bind.phase === "expired"
                onActivated: page.bind.renew()
                KeyNavigation.right: cancelButton
            }
            NavButton {
                id: cancelButton
                objectName: "cancelButton"
                text: page.app.texts.cancel_button
                onActivated: page.app.back()
                KeyNavigation.left: renewButton.visible ? renewButton : null
            }
        }
    }
}
