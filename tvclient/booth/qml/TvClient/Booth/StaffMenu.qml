pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.BoothModels

// The staff menu: the visitor statistics on the left, the actions on the right. Up/Down move
// (the booth's filter), OK acts, Back closes; taps act directly.
Item {
    id: menu

    required property BoothModel booth
    readonly property var tx: booth.texts

    Rectangle { anchors.fill: parent; color: Theme.scrim }
    MouseArea { anchors.fill: parent }

    Rectangle {
        id: box
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.safeX
        height: parent.height - 2 * Theme.safeY
        radius: Theme.radius * 2
        color: Theme.surface
        border.width: Theme.u(2)
        border.color: Theme.textDim

        UiText {
            id: heading
            x: Theme.u(36)
            y: Theme.u(28)
            text: menu.tx.staff_title || ""
            font.pixelSize: Theme.fontTitle
            font.bold: true
            wrapMode: Text.NoWrap
        }
        Badge {
            anchors.right: parent.right
            anchors.rightMargin: Theme.u(36)
            anchors.verticalCenter: heading.verticalCenter
            visible: menu.booth.demo
            text: menu.tx.demo_badge || ""
            color: Theme.demo
            textColor: Theme.demoText
            bold: true
        }

        Column {
            id: stats
            objectName: "staffStats"
            x: Theme.u(36)
            y: heading.y + heading.height + Theme.u(24)
            width: (box.width - 3 * Theme.u(36)) * 0.45
            spacing: Theme.u(10)

            UiText {
                text: menu.tx.stats_title || ""
                color: Theme.textDim
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
            Repeater {
                model: menu.booth.statsRows
                Item {
                    id: statRow
                    required property var modelData
                    width: stats.width
                    height: Theme.u(46)
                    UiText {
                        anchors.verticalCenter: parent.verticalCenter
                        width: parent.width - value.width - Theme.u(12)
                        text: statRow.modelData.label
                        wrapMode: Text.NoWrap
                        elide: Text.ElideRight
                    }
                    UiText {
                        id: value
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        text: statRow.modelData.value
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        wrapMode: Text.NoWrap
                    }
                }
            }
            Item { width: 1; height: Theme.u(8) }
            Repeater {
                model: menu.booth.statsNotes
                UiText {
                    required property int index
                    required property string modelData
                    width: stats.width
                    text: modelData
                    color: index === 1 && !menu.booth.phonesOk ? Theme.danger : Theme.textDim
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.Wrap
                }
            }
        }

        Column {
            id: actions
            objectName: "staffActions"
            anchors.right: parent.right
            anchors.rightMargin: Theme.u(36)
            y: stats.y
            width: (box.width - 3 * Theme.u(36)) * 0.55
            spacing: Theme.u(8)

            Repeater {
                model: menu.booth.menuItems
                Rectangle {
                    id: entry
                    required property int index
                    required property var modelData
                    readonly property bool current: menu.booth.menuIndex === index
                    objectName: "staffItem_" + modelData.id
                    width: actions.width
                    height: Theme.u(54)
                    radius: Theme.radius
                    color: current ? Theme.surfaceFocus : Theme.background
                    border.width: current ? Theme.focusRing : Theme.u(2)
                    border.color: current ? Theme.focus : Theme.outline
                    UiText {
                        anchors.verticalCenter: parent.verticalCenter
                        x: Theme.u(20)
                        width: parent.width - 2 * Theme.u(20)
                        text: entry.modelData.label
                        color: entry.modelData.enabled ? Theme.text : Theme.textDisabled
                        font.bold: entry.current
                        wrapMode: Text.NoWrap
                        elide: Text.ElideRight
                    }
                    MouseArea {
                        anchors.fill: parent
                        onClicked: menu.booth.tapMenu(entry.index)
                    }
                }
            }
        }

        UiText {
            objectName: "staffNotice"
            anchors.bottom: parent.bottom
            anchors.bottomMargin: Theme.u(24)
            x: Theme.u(36)
            width: box.width - 2 * Theme.u(36)
            text: menu.booth.notice
            visible: text.length > 0
            color: Theme.success
            font.bold: true
        }
    }
}
