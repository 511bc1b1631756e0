"""The approve helper: answering a QR over HTTP as a phone would, with readable refusals."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import SANDBOX_URL, Harness, consult_request, expect_success
from tvclient.sandbox.errors import RemoteError
from tvclient.sandbox.remote import approve_async


async def test_approve_async_binds_the_default_buyer(harness: Harness) -> None:
    """Without a buyer the wallet's first test buyer agrees; the merchant hears AUTHCODE_CREATED."""
    consult = expect_success(await harness.client.consult(consult_request("DANA", "remote")))
    answer = await approve_async(SANDBOX_URL, consult.auth_code_form.text(), client=harness.http)
    assert answer["buyerId"] == "id-dewi"
    assert answer["status"] == "AGREED"
    await harness.drain()
    assert harness.receiver.of("/authorization")[0].json["authState"] == "remote"


async def test_approve_async_decline(harness: Harness) -> None:
    """decline=True declines for the named buyer."""
    consult = expect_success(await harness.client.consult(consult_request()))
    answer = await approve_async(SANDBOX_URL, consult.auth_code_form.text(), buyer="hk-ben",
                                 decline=True, client=harness.http)
    assert answer["status"] == "DECLINED"


async def test_refusals_are_readable(harness: Harness) -> None:
    """An unknown QR or a buyer of the wrong wallet is a RemoteError naming the reason."""
    with pytest.raises(RemoteError, match="QR_NOT_FOUND"):
        await approve_async(SANDBOX_URL, f"{SANDBOX_URL}/wallet/authorize/qNope",
                            client=harness.http)
    consult = expect_success(await harness.client.consult(consult_request()))
    with pytest.raises(RemoteError, match="WRONG_WALLET"):
        await approve_async(SANDBOX_URL, consult.auth_code_form.text(), buyer="id-eko",
                            client=harness.http)
