pragma ComponentBehavior: Bound
import QtQuick
import TvClient.Controls
import TvClient.Models

// First run: choose the language (the system's is focused first).
ScreenPage {
    id: page
    required property AppModel app

    screenName: "language"
    title: app.texts.language_title
    initialFocus: column
    header: StatusBadges { app: page.app; showWallet: false }

    ListView {
        id: column
        objectName: "languageList"
        anchors.centerIn: parent
        width: Theme.u(560)
        height: count * Theme.u(88) + (count - 1) * spacing
        spacing: Theme.u(24)
        interactive: false
        focus: true
        keyNavigationEnabled: true
        highlightFollowsCurrentItem: false
        model: page.app.languages
        currentIndex: page.app.languageIndex
        delegate: FocusScope {
            id: choice
            required property int index
            required property var modelData
            width: column.width
            height: Theme.u(88)
            NavButton {
                objectName: "language_" + choice.modelData.code
                anchors.fill: parent
                focus: true
                text: choice.modelData.name
                fontSize: Theme.fontLarge
                onActivated: page.app.chooseLanguage(choice.modelData.code)
            }
        }
    }
}
