"""The device core: everything a TV decides, with no Qt.

Modules:

- `client`: the merchant backend's device API as typed async calls (`MerchantClient`).
- `models`, `wire`: the typed answers and how the JSON is read (`ProtocolError` on bad JSON).
- `errors`: the exception tree, each error with a stable `code`.
- `waiting`: RFC 8628 polling plus long-polls (`PollSchedule`, `WaitPolicy`), pure logic.
- `bind`: the bind flow (`BindFlow`, `BindPhase`, `BindSnapshot`).
- `purchase`: the purchase flow (`PurchaseFlow`, `PurchasePhase`, `PurchaseSnapshot`).
- `intents`: pending purchase intents kept until their final answer (`IntentStore`).
- `nextstep`: failure code to the buyer's next step (`NextStep`, `next_step`).
- `account`: enrolment, the current binding, unbind, catalog, history (`AccountService`).
- `vault`: the credential and binding reference in the OS keyring (`BindingVault`).
- `settings`: the typed settings file and its state section (`SettingsStore`).
- `observe`: plain-callback subscriptions the view-models use (`Observable`, `follow`).
- `safety/`: press freshness, purchase PIN and spending cap (its own owner).

See docs/device.md.
"""
