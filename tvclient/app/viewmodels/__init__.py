"""Python view-models, registered with @QmlElement into the QML module `TvClient.Models`.

They decide and format; QML only binds to their ready-to-show properties and calls their slots.
View-models are created by the app (never by QML) and reach QML as required properties of
the root window, so every type here is uncreatable from QML.
"""
