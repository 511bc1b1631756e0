"""The account service: enrolment, the binding's life, unbind, catalog, history, recovery."""

from __future__ import annotations

import asyncio

import pytest

from tests.device.fakes import BASE, FakeBackend, run_for, settle
from tests.helpers.clock import FakeClock
from tvclient.device.account import AccountEvent, AccountService, BindingChange, DeviceInfo
from tvclient.device.bind import BindPhase
from tvclient.device.client import MerchantClient
from tvclient.device.errors import AuthError, NetworkError, NotBoundError
from tvclient.device.intents import IntentStore
from tvclient.device.memory_keyring import MemoryKeyring
from tvclient.device.models import BindingState
from tvclient.device.purchase import PurchasePhase
from tvclient.device.vault import BindingVault
from tvclient.money import Money, Wallet

PRICE = Money(3800, "HKD")


def events_of(account: AccountService) -> list[AccountEvent]:
    """Collect the account's binding events from now on."""
    events: list[AccountEvent] = []
    account.subscribe(events.append)
    return events


async def bind(account: AccountService, backend: FakeBackend, clock: FakeClock) -> str:
    """Bind through a real bind flow approved at the fake backend; the new reference."""
    flow = account.bind_flow(tick=None)
    task = asyncio.ensure_future(flow.run(Wallet.ALIPAY_HK))
    await run_for(clock, 1)
    ref = backend.approve(
        backend.only_session().id if len(backend.sessions) == 1 else list(backend.sessions)[-1]
    )
    await settle()
    assert task.result().phase is BindPhase.BOUND
    return ref


async def test_first_run_enrols_once_and_keeps_the_credential(  # noqa: PLR0917 - fixtures
    account: AccountService,
    backend: FakeBackend,
    vault: BindingVault,
    client: MerchantClient,
    intents: IntentStore,
    clock: FakeClock,
) -> None:
    """The credential comes once from enrolment, goes to the vault, and is reused afterwards."""
    status = await account.start()
    assert not status.bound
    credential = vault.credential()
    assert credential is not None
    assert client.credential == credential
    assert len(backend.sent("POST", "/v1/devices")) == 1
    fresh_client = MerchantClient(client._client(), BASE)
    again = AccountService(
        fresh_client,
        vault,
        intents,
        clock,
        DeviceInfo(name="TV", platform="linux", app_version="0.1.0"),
    )
    await again.start()
    assert fresh_client.credential == credential
    assert len(backend.sent("POST", "/v1/devices")) == 1


async def test_a_refused_enrolment_is_an_auth_error(
    account: AccountService, backend: FakeBackend
) -> None:
    """A wrong enrolment token is ENROLMENT_REFUSED; nothing is stored."""
    backend.enrolment_token = "the-right-one"
    with pytest.raises(AuthError) as caught:
        await account.start()
    assert caught.value.code == "ENROLMENT_REFUSED"


async def test_binding_is_kept_and_refreshed(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """A bound wallet lands in the vault, an event says so, and a refresh shows it active."""
    events = events_of(account)
    await account.start()
    ref = await bind(account, backend, clock)
    assert vault.binding_ref() == ref
    assert [e.change for e in events] == [BindingChange.BOUND]
    status = await account.binding()
    assert status.bound
    assert status.fresh
    assert status.binding is not None
    assert status.binding.state is BindingState.ACTIVE


async def test_a_binding_revoked_in_the_wallet_is_forgotten_with_the_reason(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """TOKEN_CANCELED by the buyer: the device forgets the binding and says why."""
    await account.start()
    ref = await bind(account, backend, clock)
    events = events_of(account)
    backend.revoke_by_wallet(ref)
    status = await account.binding()
    assert not status.bound
    assert status.lost is BindingChange.REVOKED_BY_WALLET
    assert vault.binding_ref() is None
    assert [e.change for e in events] == [BindingChange.REVOKED_BY_WALLET]


async def test_an_expired_or_unknown_binding_is_forgotten(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """EXPIRED and NOT_FOUND bindings go too, each with its reason."""
    await account.start()
    ref = await bind(account, backend, clock)
    backend.bindings[ref].state = "EXPIRED"
    assert (await account.binding()).lost is BindingChange.EXPIRED
    ref = await bind(account, backend, clock)
    del backend.bindings[ref]
    assert (await account.binding()).lost is BindingChange.FORGOTTEN
    assert vault.binding_ref() is None


async def test_offline_the_binding_is_kept_but_not_fresh(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """Without network the device still knows it is bound; nothing is forgotten."""
    await account.start()
    ref = await bind(account, backend, clock)
    backend.down = True
    status = await account.binding()
    assert status.bound
    assert not status.fresh
    assert vault.binding_ref() == ref


async def test_unbind_revokes_then_forgets(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """Unlink: revoked at the backend by the device, forgotten, announced."""
    await account.start()
    ref = await bind(account, backend, clock)
    events = events_of(account)
    await account.unbind()
    assert (backend.bindings[ref].state, backend.bindings[ref].revoked_by) == ("REVOKED", "DEVICE")
    assert vault.binding_ref() is None
    assert [e.change for e in events] == [BindingChange.UNBOUND]


async def test_unbind_offline_keeps_the_binding(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """An unbind the backend never heard of changes nothing on the device."""
    await account.start()
    ref = await bind(account, backend, clock)
    backend.down = True
    with pytest.raises(NetworkError):
        await account.unbind()
    assert vault.binding_ref() == ref


async def test_a_backend_that_forgot_the_device_is_recovered_from(  # noqa: PLR0917 - fixtures
    account: AccountService,
    backend: FakeBackend,
    vault: BindingVault,
    clock: FakeClock,
    expect_log: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """UNAUTHENTICATED: clear the vault, enrol again, report the lost binding, carry on."""
    await account.start()
    await bind(account, backend, clock)
    old = vault.credential()
    events = events_of(account)
    backend.forget_devices()
    catalog = await account.catalog()
    assert [p.id for p in catalog] == ["movie-night", "game-coins"]
    assert vault.credential() not in (None, old)
    assert vault.binding_ref() is None
    assert [e.change for e in events] == [BindingChange.FORGOTTEN]
    assert "no longer knows this device" in caplog.text


async def test_pay_needs_a_binding(account: AccountService) -> None:
    """Paying unbound is NOT_BOUND, before anything is sent."""
    await account.start()
    with pytest.raises(NotBoundError):
        await account.pay("movie-night", "Movie night", PRICE)


async def test_pay_with_the_vaults_binding(
    account: AccountService, backend: FakeBackend, clock: FakeClock
) -> None:
    """One press pays with the kept binding; the caller can watch the flow."""
    await account.start()
    await bind(account, backend, clock)
    flow = account.purchase_flow()
    seen: list[PurchasePhase] = []
    flow.subscribe(lambda s: seen.append(s.phase))
    final = await account.pay("movie-night", "Movie night", PRICE, flow=flow)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert seen[-1] is PurchasePhase.SUCCEEDED


async def test_a_purchase_that_finds_the_binding_revoked_unbinds_the_device(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """The next purchase after a wallet-side unlink asks to bind again, and the badge goes."""
    await account.start()
    ref = await bind(account, backend, clock)
    events = events_of(account)
    backend.revoke_by_wallet(ref)
    final = await account.pay("movie-night", "Movie night", PRICE)
    assert final.phase is PurchasePhase.FAILED
    assert final.failure is not None
    assert final.failure.code == "BINDING_REVOKED"
    assert vault.binding_ref() is None
    assert [e.change for e in events] == [BindingChange.REVOKED_BY_WALLET]


async def test_pending_purchases_are_resumed_at_start(
    account: AccountService, backend: FakeBackend, intents: IntentStore, clock: FakeClock
) -> None:
    """A purchase left unanswered is found at start and followed to its outcome."""
    await account.start()
    await bind(account, backend, clock)
    backend.fail_next(1, "lost", match=lambda r: r.method == "POST")
    task = asyncio.ensure_future(account.pay("movie-night", "Movie night", PRICE))
    await settle()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (pending,) = account.pending_purchases()
    final = await account.resume(pending)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert account.pending_purchases() == []


async def test_unbinding_first_gives_unanswered_purchases_their_id(
    account: AccountService,
    backend: FakeBackend,
    intents: IntentStore,
    vault: BindingVault,
    clock: FakeClock,
) -> None:
    """Before the binding leaves the vault, an unanswered intent learns its purchase id."""
    await account.start()
    await bind(account, backend, clock)
    backend.outcome = "PROCESSING"
    backend.fail_next(1, "lost", match=lambda r: r.method == "POST")
    task = asyncio.ensure_future(account.pay("movie-night", "Movie night", PRICE))
    await settle()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await account.unbind()
    (pending,) = intents.all()
    assert pending.purchase_id == backend.only_purchase().id
    backend.resolve(pending.purchase_id, "SUCCEEDED")
    final = await account.resume(pending)
    assert final.phase is PurchasePhase.SUCCEEDED
    assert vault.binding_ref() is None


async def test_binding_another_wallet_replaces_and_revokes_the_old(
    account: AccountService, backend: FakeBackend, vault: BindingVault, clock: FakeClock
) -> None:
    """A new bind replaces the kept reference and revokes the previous binding."""
    await account.start()
    first = await bind(account, backend, clock)
    second = await bind(account, backend, clock)
    assert vault.binding_ref() == second
    assert backend.bindings[first].state == "REVOKED"


async def test_history_pages_for_the_binding(
    account: AccountService, backend: FakeBackend, clock: FakeClock
) -> None:
    """History lists this binding's purchases, newest first, page by page."""
    await account.start()
    with pytest.raises(NotBoundError):
        await account.history()
    await bind(account, backend, clock)
    for _ in range(3):
        await account.pay("movie-night", "Movie night", PRICE)
    page = await account.history(limit=2)
    assert len(page.purchases) == 2
    assert page.next is not None
    rest = await account.history(limit=2, before=page.next)
    assert len(rest.purchases) == 1
    ids = [p.id for p in page.purchases + rest.purchases]
    assert ids == sorted(ids, key=lambda i: int(i.split("_")[1]), reverse=True)


async def test_images_and_language(account: AccountService, backend: FakeBackend) -> None:
    """Images come as bytes; the chosen language goes with every call."""
    await account.start()
    assert await account.image("/v1/catalog/images/movie-night.png") == b"\x89PNG-fake"
    account.set_language("id")
    await account.catalog()
    assert backend.requests[-1].headers["accept-language"] == "id"


async def test_reset_forgets_everything(
    account: AccountService,
    backend: FakeBackend,
    vault: BindingVault,
    clock: FakeClock,
    memory_keyring: MemoryKeyring,
) -> None:
    """A booth reset unbinds and empties the vault of this backend."""
    await account.start()
    ref = await bind(account, backend, clock)
    await account.reset()
    assert backend.bindings[ref].state == "REVOKED"
    assert memory_keyring.items == {}


async def test_reset_offline_still_empties_the_vault(
    account: AccountService,
    backend: FakeBackend,
    vault: BindingVault,
    clock: FakeClock,
    memory_keyring: MemoryKeyring,
) -> None:
    """Even without the backend, a reset leaves nothing of the visitor on the device."""
    await account.start()
    await bind(account, backend, clock)
    events = events_of(account)
    backend.down = True
    await account.reset()
    assert memory_keyring.items == {}
    assert [e.change for e in events] == [BindingChange.UNBOUND]

