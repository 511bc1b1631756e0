import QtQuick
import TvClient.Controls
import TvClient.BoothModels

// Between visitors: Scan to Bind in three steps, told one at a time (Python moves
// `attractStep` on), and "Press OK to try". Any input starts a visit (the booth's filter).
Rectangle {
    id: attract

    required property BoothModel booth
    readonly property var tx: booth.texts

    gradient: Gradient {
        GradientStop { position: 0.0; color: Theme.background }
        GradientStop { position: 1.0; color: "#10261b" }
    }

    UiText {
        id: title
        objectName: "attractTitle"
        x: Theme.safeX
        y: Theme.safeY
        width: parent.width - 2 * Theme.safeX - badge.width - Theme.spacing
        text: attract.tx.attract_title || ""
        font.pixelSize: Theme.fontHuge
        font.bold: true
        wrapMode: Text.NoWrap
        elide: Text.ElideRight
    }
    Badge {
        id: badge
        objectName: "boothDemoBadge"
        anchors.right: parent.right
        anchors.rightMargin: Theme.safeX
        anchors.verticalCenter: title.verticalCenter
        visible: attract.booth.demo
        text: attract.tx.demo_badge || ""
        color: Theme.demo
        textColor: Theme.demoText
        bold: true
    }
    UiText {
        id: tagline
        x: Theme.safeX
        anchors.top: title.bottom
        anchors.topMargin: Theme.u(8)
        width: parent.width - 2 * Theme.safeX
        text: attract.tx.attract_tagline || ""
        color: Theme.textDim
        font.pixelSize: Theme.fontBody
    }

    Row {
        id: steps
        objectName: "attractSteps"
        anchors.horizontalCenter: parent.horizontalCenter
        y: Theme.u(168)
        spacing: Theme.u(24)

        StepCard {
            id: step1
            number: 1
            current: attract.booth.attractStep === 0
            title: attract.tx.attract_step1_title || ""
            text: attract.tx.attract_step1_text || ""
            TvArt { running: attract.visible && step1.current }
        }
        StepCard {
            id: step2
            number: 2
            current: attract.booth.attractStep === 1
            title: attract.tx.attract_step2_title || ""
            text: attract.tx.attract_step2_text || ""
            ScanArt { running: attract.visible && step2.current }
        }
        StepCard {
            id: step3
            number: 3
            current: attract.booth.attractStep === 2
            title: attract.tx.attract_step3_title || ""
            text: attract.tx.attract_step3_text || ""
            PayArt { running: attract.visible && step3.current }
        }
    }

    // A soft halo breathing behind the prompt says "this is the thing to do".
    Rectangle {
        anchors.fill: prompt
        anchors.margins: -Theme.u(10)
        radius: height / 2
        color: Theme.success
        visible: attract.booth.ready
        opacity: 0
        SequentialAnimation on opacity {
            running: attract.visible && attract.booth.ready
            loops: Animation.Infinite
            NumberAnimation { from: 0.0; to: 0.45; duration: 800; easing.type: Easing.InOutQuad }
            NumberAnimation { from: 0.45; to: 0.0; duration: 800; easing.type: Easing.InOutQuad }
        }
    }
    Rectangle {
        id: prompt
        objectName: "attractPrompt"
        anchors.horizontalCenter: parent.horizontalCenter
        y: Theme.u(540)
        height: Theme.u(72)
        width: promptText.implicitWidth + 2 * Theme.u(44)
        radius: height / 2
        color: attract.booth.ready ? Theme.primary : Theme.surface
        border.width: Theme.u(3)
        border.color: attract.booth.ready ? Theme.success : Theme.outline
        UiText {
            id: promptText
            anchors.centerIn: parent
            text: attract.booth.ready ? (attract.tx.attract_prompt || "") : (attract.tx.attract_preparing || "")
            font.pixelSize: Theme.fontLarge
            font.bold: attract.booth.ready
            wrapMode: Text.NoWrap
        }
    }

    UiText {
        objectName: "attractNote"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.safeY
        width: parent.width - 2 * Theme.safeX
        horizontalAlignment: Text.AlignHCenter
        text: attract.tx.attract_note || ""
        visible: attract.booth.demo  // "no real money" holds only on the booth's own sandbox
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
    }
}
