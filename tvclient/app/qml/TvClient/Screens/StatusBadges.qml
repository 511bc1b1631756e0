import QtQuick
import TvClient.Controls
import TvClient.Models

// The header badges every screen carries: DEMO on the embedded demo stack, and the linked
// wallet with its masked account.
Row {
    id: badges
    required property AppModel app
    property bool showWallet: true
    spacing: Theme.u(12)

    Badge {
        objectName: "demoBadge"
        visible: badges.app.demo
        text: badges.app.texts.demo_badge
        color: Theme.demo
        textColor: Theme.demoText
        bold: true
    }
    Badge {
        objectName: "walletBadge"
        visible: badges.showWallet && badges.app.badgeVisible
        text: badges.app.badgeText
    }
}
