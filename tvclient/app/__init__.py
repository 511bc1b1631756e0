"""The device app: the Qt Quick store, Scan to Bind and one-press purchases, for TVs and kiosks.

Entry point: `tvclient.app.main.run(options, *, services)`; see docs/app.md. Importing this
package imports no Qt; `main`, `shell` and the view-models do.
"""
