"""The offline Antom sandbox: every Scan to Link API, a phone wallet page, operator controls.

Public entry points (see docs/sandbox.md):

- `tvclient.sandbox.app.create_app(settings, *, clock, http_client=None)` — the ASGI app;
  `tvclient.sandbox.app.sandbox_of(app)` — its `Sandbox` (state, services, `drain()`).
- `tvclient.sandbox.settings.SandboxSettings`, `NotifyUrls`.
- `tvclient.sandbox.remote.approve(url, code_value, buyer=...)`, `OperatorClient`.
- `tvclient.sandbox.commands.run(argv)` — `tvclient sandbox ...`.
"""
