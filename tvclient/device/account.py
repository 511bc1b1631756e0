"""The device's account with its backend: enrolment, the current binding, catalog, history.

`AccountService` is what the UI holds on to between flows. It

- enrols the device on first run and keeps the credential in the vault (`ensure_enrolled`);
- knows the current binding: the reference from the vault, its state from the backend
  (`binding`), and notices when it is gone: revoked by the buyer in the wallet app, expired,
  or unknown to the backend. It then forgets the reference and tells subscribers why
  (`AccountEvent`), so the badge goes and the next purchase asks to bind again;
- recovers by itself when the backend no longer knows the device credential (a reset demo
  backend): it clears the vault, enrols again and reports the lost binding;
- makes the flows wired to itself (`bind_flow`, `purchase_flow`) and runs purchases and
  resumptions with the vault's binding (`pay`, `resume`);
- unbinds, and fetches the catalog, images and purchase history.

Vault calls are blocking (D-Bus); the app runs this service on its worker loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from tvclient.clock import Clock
from tvclient.device.bind import BindFlow
from tvclient.device.client import MerchantClient
from tvclient.device.errors import (
    AuthError,
    NotBoundError,
    NotFoundError,
    RequestError,
    SettingsError,
)
from tvclient.device.intents import IntentStore, PendingPurchase
from tvclient.device.models import (
    Binding,
    BindingState,
    Product,
    PurchasePage,
    RevokedBy,
)
from tvclient.device.observe import Observable, Unsubscribe
from tvclient.device.purchase import PurchaseFlow, PurchaseSnapshot, Reservations
from tvclient.device.safety.errors import SafetyError
from tvclient.device.vault import BindingVault
from tvclient.device.waiting import WaitPolicy
from tvclient.money import Money

__all__ = ["AccountEvent", "AccountService", "BindingChange", "BindingStatus", "DeviceInfo"]

_log = logging.getLogger(__name__)

T = TypeVar("T")


class BindingChange(StrEnum):
    """What happened to the device's binding."""

    BOUND = "bound"                          # a bind flow just bound a wallet
    UNBOUND = "unbound"                      # this device unbound (or a booth reset)
    REVOKED_BY_WALLET = "revoked_by_wallet"  # the buyer unlinked in the wallet app
    EXPIRED = "expired"                      # the backend could not keep the binding alive
    FORGOTTEN = "forgotten"                  # the backend no longer knows it (or this device)


@dataclass(frozen=True, slots=True)
class AccountEvent:
    """A change of the binding, with the binding as last seen (None when never seen)."""

    change: BindingChange
    binding: Binding | None


@dataclass(frozen=True, slots=True)
class BindingStatus:
    """What the device knows about its binding now.

    Attributes:
        bound: A binding reference is kept on this device.
        binding: The binding as the backend last described it (None when not bound, or
            bound but not yet seen because the backend was unreachable).
        fresh: `binding` was fetched from the backend just now.
        lost: When this refresh found the binding gone (and forgot it): how.
    """

    bound: bool
    binding: Binding | None
    fresh: bool
    lost: BindingChange | None = None


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """How the device introduces itself at enrolment."""

    name: str
    platform: str
    app_version: str
    enrolment_token: str | None = None


class AccountService:
    """The device's standing with one merchant backend.

    Args:
        client: The merchant API client for that backend.
        vault: The binding vault for that backend.
        intents: The pending purchase intents (in the settings).
        clock: The injected clock.
        device: Name, platform, version and enrolment token sent at enrolment.
        policy: The waiting numbers for the flows.
        cap: The spending cap purchases reserve against, if any.
    """

    def __init__(
        self,
        client: MerchantClient,
        vault: BindingVault,
        intents: IntentStore,
        clock: Clock,
        device: DeviceInfo,
        *,
        policy: WaitPolicy | None = None,
        cap: Reservations | None = None,
    ) -> None:
        self._client = client
        self._vault = vault
        self._intents = intents
        self._clock = clock
        self._device = device
        self._policy = policy or WaitPolicy()
        self._cap = cap
        self._events: Observable[AccountEvent | None] = Observable(None)
        self._binding: Binding | None = None
        self._enrol_lock = asyncio.Lock()

    # ------------------------------------------------------------------ events
    def subscribe(self, callback: Callable[[AccountEvent], None]) -> Unsubscribe:
        """Call `callback` with every binding change from now on."""

        def deliver(event: AccountEvent | None) -> None:
            if event is not None:
                callback(event)

        return self._events.subscribe(deliver, replay=False)

    def _emit(self, change: BindingChange, binding: Binding | None) -> None:
        _log.info("binding %s", change.value)
        self._events.publish(AccountEvent(change, binding))

    # ------------------------------------------------------------------ set-up
    @property
    def client(self) -> MerchantClient:
        """The merchant API client (enrolled once `ensure_enrolled` returned)."""
        return self._client

    def set_language(self, language: str) -> None:
        """Ask the backend for messages and titles in `language` from now on."""
        self._client.language = language

    async def ensure_enrolled(self) -> None:
        """Load the device credential from the vault, or enrol and keep a new one.

        Raises:
            KeyringUnavailableError: no usable keyring (the message says how to fix it).
            AuthError: ENROLMENT_REFUSED (the enrolment token is wrong or missing).
            NetworkError, ServerError: the backend cannot be reached; try again later.
        """
        if self._client.credential:
            return
        async with self._enrol_lock:
            credential = self._vault.credential()
            if credential:
                self._client.credential = credential
                return
            enrolment = await self._client.enrol(
                name=self._device.name,
                platform=self._device.platform,
                app_version=self._device.app_version,
                enrolment_token=self._device.enrolment_token,
            )
            self._vault.store_credential(enrolment.credential)
            self._client.credential = enrolment.credential
            _log.info("enrolled as device %s", enrolment.device_id)

    async def start(self) -> BindingStatus:
        """Enrol if needed, then refresh the binding (see `binding`)."""
        await self.ensure_enrolled()
        return await self.binding()

    async def _credential_lost(self) -> None:
        """The backend does not know our credential: start over as a new device."""
        _log.warning("the backend no longer knows this device; enrolling again")
        had_binding = self._vault.binding_ref() is not None
        lost = self._binding
        self._vault.clear()
        self._client.credential = None
        self._binding = None
        if had_binding:
            self._emit(BindingChange.FORGOTTEN, lost)
        try:
            await self.ensure_enrolled()
        except RequestError as exc:
            _log.info("enrolling again failed for now (%s); will retry on the next call", exc.code)

    async def _authed(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run `call`; when the credential is unknown, enrol again and run it once more."""
        await self.ensure_enrolled()
        try:
            return await call()
        except AuthError as exc:
            if exc.code != "UNAUTHENTICATED":
                raise
            await self._credential_lost()
            return await call()

    # ------------------------------------------------------------------ binding
    def binding_ref(self) -> str | None:
        """The binding reference in the vault (None when not bound)."""
        return self._vault.binding_ref()

    async def binding(self, *, refresh: bool = True) -> BindingStatus:  # noqa: PLR0911
        """The current binding; with `refresh`, its state is asked of the backend.

        A binding the backend reports REVOKED or EXPIRED, or does not know, is forgotten and
        an `AccountEvent` says why. Without network the last known view is returned with
        `fresh=False`.
        """
        ref = self._vault.binding_ref()
        if ref is None:
            self._binding = None
            return BindingStatus(bound=False, binding=None, fresh=False)
        if not refresh:
            return BindingStatus(bound=True, binding=self._binding, fresh=False)
        try:
            binding = await self._authed(lambda: self._client.get_binding(ref))
        except NotFoundError:
            lost = self._binding
            await self._forget(ref, BindingChange.FORGOTTEN, lost)
            return BindingStatus(
                bound=False, binding=lost, fresh=True, lost=BindingChange.FORGOTTEN
            )
        except RequestError as exc:
            _log.info("binding state not refreshed (%s)", exc.code)
            if self._vault.binding_ref() is None:  # lost with the credential meanwhile
                return BindingStatus(bound=False, binding=None, fresh=False)
            return BindingStatus(bound=True, binding=self._binding, fresh=False)
        if binding.state is BindingState.ACTIVE:
            self._binding = binding
            return BindingStatus(bound=True, binding=binding, fresh=True)
        change = _change_of(binding)
        await self._forget(ref, change, binding)
        return BindingStatus(bound=False, binding=binding, fresh=True, lost=change)

    async def unbind(self) -> None:
        """Unlink the wallet: revoke at the backend, then forget the reference.

        Raises:
            NetworkError, ServerError: the backend could not be told; nothing was forgotten
                (the binding would stay usable at the backend otherwise).
        """
        ref = self._vault.binding_ref()
        if ref is None:
            return
        await self._settle_orphans(ref)
        last = self._binding
        with contextlib.suppress(NotFoundError):  # already gone at the backend
            last = await self._authed(lambda: self._client.delete_binding(ref))
        self._vault.forget_binding()
        self._binding = None
        self._emit(BindingChange.UNBOUND, last)

    async def reset(self) -> None:
        """Forget everything of this backend (booth reset): unbind if possible, clear the vault."""
        try:
            await self.unbind()
        except RequestError as exc:
            _log.info("reset: the binding could not be revoked at the backend (%s)", exc.code)
            if self._vault.binding_ref() is not None:
                self._emit(BindingChange.UNBOUND, self._binding)
        self._vault.clear()
        self._client.credential = None
        self._binding = None

    async def _keep_binding(self, binding: Binding) -> None:
        """A bind flow bound: keep the reference (replacing and revoking an older one)."""
        old = self._vault.binding_ref()
        if old is not None and old != binding.ref:
            await self._settle_orphans(old)
        self._vault.store_binding(binding.ref)
        self._binding = binding
        if old is not None and old != binding.ref:
            try:
                await self._client.delete_binding(old)
            except RequestError as exc:
                _log.info("the replaced binding was not revoked (%s)", exc.code)
        self._emit(BindingChange.BOUND, binding)

    async def _binding_lost(self, code: str, revoked_by: RevokedBy | None) -> None:
        """A purchase learnt that the binding is gone."""
        ref = self._vault.binding_ref()
        if ref is None:
            return
        if code == "BINDING_EXPIRED":
            change = BindingChange.EXPIRED
        elif revoked_by is RevokedBy.DEVICE:
            change = BindingChange.UNBOUND
        else:
            change = BindingChange.REVOKED_BY_WALLET
        await self._forget(ref, change, self._binding)

    async def _forget(self, ref: str, change: BindingChange, last: Binding | None) -> None:
        await self._settle_orphans(ref)
        if self._vault.binding_ref() == ref:
            self._vault.forget_binding()
        self._binding = None
        self._emit(change, last)

    async def _settle_orphans(self, ref: str) -> None:
        """Before `ref` leaves the vault, give pending intents that still need it their id.

        An intent the backend never answered can only be repeated with its binding reference.
        One attempt each: an answer stores the purchase id (then it can be followed without
        the reference); a refusal means nothing was created, so the intent is dropped.
        """
        try:
            pending = self._intents.all()
        except SettingsError as exc:
            _log.warning("pending purchases unreadable before unbinding: %s", exc)
            return
        for intent in pending:
            if intent.purchase_id is not None or not intent.matches(ref):
                continue
            try:
                created = await self._client.create_purchase(
                    intent.key, binding=ref, product_id=intent.product_id, amount=intent.amount
                )
            except RequestError as exc:
                if exc.retryable or isinstance(exc, AuthError):
                    _log.warning("pending purchase %s: no answer before unbinding", intent.key)
                    continue
                _log.info("pending purchase %s was refused (%s); dropped", intent.key, exc.code)
                with contextlib.suppress(SafetyError, SettingsError):
                    if self._cap is not None:
                        self._cap.release(intent.key)
                    self._intents.remove(intent.key)
                continue
            try:
                self._intents.put(intent.with_purchase(created.purchase.id))
            except SettingsError as exc:
                _log.warning("pending purchase %s: its id could not be stored: %s", intent.key, exc)

    # ------------------------------------------------------------------ flows
    def bind_flow(self, *, tick: float | None = 1.0) -> BindFlow:
        """A new bind attempt wired to this account (a BOUND binding goes to the vault)."""
        return BindFlow(
            self._client,
            self._clock,
            policy=self._policy,
            keep_binding=self._keep_binding,
            on_unauthenticated=self._credential_lost,
            tick=tick,
        )

    def purchase_flow(self) -> PurchaseFlow:
        """A new purchase flow wired to this account (lost bindings are forgotten)."""
        return PurchaseFlow(
            self._client,
            self._intents,
            self._clock,
            policy=self._policy,
            cap=self._cap,
            on_binding_lost=self._binding_lost,
            on_unauthenticated=self._credential_lost,
        )

    async def pay(
        self,
        product_id: str,
        title: str,
        amount: Money,
        *,
        flow: PurchaseFlow | None = None,
    ) -> PurchaseSnapshot:
        """Buy with the current binding (in `flow`, to which the caller may have subscribed).

        Raises:
            NotBoundError: no binding is kept; bind first.
            PurchasePendingError: an earlier purchase is still pending; resume it first.
        """
        await self.ensure_enrolled()
        ref = self._vault.binding_ref()
        if ref is None:
            raise NotBoundError("no wallet is linked to this device; bind one first")
        return await (flow or self.purchase_flow()).pay(ref, product_id, title, amount)

    def pending_purchases(self) -> list[PendingPurchase]:
        """Purchases pressed earlier whose outcome is not known yet (resume each)."""
        return self._intents.all()

    async def resume(
        self, intent: PendingPurchase, *, flow: PurchaseFlow | None = None
    ) -> PurchaseSnapshot:
        """Follow a pending purchase to its end (in `flow`, if given)."""
        await self.ensure_enrolled()
        return await (flow or self.purchase_flow()).resume(intent, self._vault.binding_ref())

    # ------------------------------------------------------------------ store
    async def catalog(self) -> list[Product]:
        """What this device sells."""
        return await self._authed(self._client.catalog)

    async def image(self, url: str) -> bytes:
        """A catalog image's bytes."""
        return await self._client.image(url)

    async def history(self, *, limit: int = 20, before: str | None = None) -> PurchasePage:
        """This binding's purchases, newest first (`before`: the previous page's `next`).

        Raises:
            NotBoundError: no binding is kept.
        """
        ref = self._vault.binding_ref()
        if ref is None:
            raise NotBoundError("no wallet is linked to this device")
        return await self._authed(
            lambda: self._client.purchases(binding=ref, limit=limit, before=before)
        )


def _change_of(binding: Binding) -> BindingChange:
    if binding.state is BindingState.EXPIRED:
        return BindingChange.EXPIRED
    if binding.revoked_by is RevokedBy.DEVICE:
        return BindingChange.UNBOUND
    return BindingChange.REVOKED_BY_WALLET
