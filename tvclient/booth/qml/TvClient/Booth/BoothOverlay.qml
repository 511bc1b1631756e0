import QtQuick
import TvClient.BoothModels

// The booth's screens, above the app's: the attract loop (also while the last visitor is being
// forgotten), the reset countdown, and the staff PIN pad and menu. Input for them is taken by
// the booth's window filter in Python; these items only draw (and pass staff taps back).
Item {
    id: overlay

    required property BoothModel booth

    anchors.fill: parent
    z: 1000

    AttractLoop {
        objectName: "attract"
        anchors.fill: parent
        booth: overlay.booth
        visible: overlay.booth.mode === "attract" || overlay.booth.mode === "resetting"
    }

    CountdownPanel {
        objectName: "countdown"
        anchors.fill: parent
        booth: overlay.booth
        visible: overlay.booth.mode === "countdown"
    }

    StaffPad {
        objectName: "staffPad"
        anchors.fill: parent
        booth: overlay.booth
        visible: overlay.booth.staff === "pin"
    }

    StaffMenu {
        objectName: "staffMenu"
        anchors.fill: parent
        booth: overlay.booth
        visible: overlay.booth.staff === "menu"
    }
}
