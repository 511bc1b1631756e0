import QtQuick

// Text in the app's font and colours; the default size is body text.
Text {
    color: Theme.text
    font.family: Theme.fontFamily
    font.pixelSize: Theme.fontBody
    wrapMode: Text.Wrap
    textFormat: Text.PlainText
}
