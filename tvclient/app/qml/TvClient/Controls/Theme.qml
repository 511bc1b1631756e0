pragma Singleton
import QtQuick

// Sizes are in design units of a 1280×720 screen; u() turns them into pixels for the real
// window (Main binds `scale` to window height / 720), so the layout is the same at 720p and 4K
// and text is drawn at its real size rather than scaled up from a bitmap.
QtObject {
    property real scale: 1.0
    property string fontFamily: "DejaVu Sans"

    function u(v: real): int { return Math.round(v * scale) }

    // The 5% overscan margin on every side (Opera TV / broadcast action-safe area).
    readonly property int safeX: u(64)
    readonly property int safeY: u(36)

    // Text: nothing under 22 px at 720p, so it reads from three metres.
    readonly property int fontSmall: u(22)
    readonly property int fontBody: u(26)
    readonly property int fontLarge: u(32)
    readonly property int fontTitle: u(42)
    readonly property int fontHuge: u(56)

    readonly property int controlHeight: u(64)
    readonly property int spacing: u(24)
    readonly property int radius: u(12)

    // The focus indicator: a thick yellow ring with a dark keyline (visible on light and dark
    // surfaces alike), plus growth, so it never relies on colour alone.
    readonly property int focusRing: u(6)
    readonly property int focusKeyline: u(2)
    readonly property int focusGap: u(3)
    // Growth of a focused control, at most focusGrowth pixels on each side: wide controls
    // grow less in proportion, so nothing focused ever leaves the safe area.
    readonly property real focusScale: 1.06
    readonly property int focusGrowth: u(8)
    // Room a focusable control keeps from the safe area's edge: ring plus growth.
    readonly property int focusMargin: u(20)
    readonly property int focusAnimation: 90

    readonly property color background: "#0b0f14"
    readonly property color surface: "#1b2430"
    readonly property color surfaceFocus: "#2c3a4d"
    readonly property color outline: "#4a5a6e"
    readonly property color text: "#ffffff"
    readonly property color textDim: "#c5ced8"
    readonly property color textDisabled: "#8a96a3"
    readonly property color focus: "#ffd23f"
    readonly property color keyline: "#000000"
    readonly property color primary: "#137a45"
    readonly property color primaryFocus: "#19995a"
    readonly property color danger: "#ff8a80"
    readonly property color success: "#7ee2a8"
    readonly property color demo: "#ff9f1c"
    readonly property color demoText: "#000000"
    readonly property color scrim: "#d0000000"
}
