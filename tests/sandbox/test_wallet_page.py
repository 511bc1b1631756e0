"""The phone wallet page as HTML: what it shows, in which language, and what it refuses."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.conftest import Harness, consult_request, expect_success


async def _qr_path(h: Harness, wallet: str = "ALIPAY_HK") -> str:
    consult = expect_success(await h.client.consult(consult_request(wallet, "page")))
    return str(consult.auth_code_form.text()).removeprefix("http://sandbox.test")


async def test_page_shows_wallet_merchant_and_buyers(harness: Harness) -> None:
    """The page names wallet, merchant, scope and buyers, and loads nothing else."""
    response = await harness.http.get(await _qr_path(harness))
    assert response.status_code == 200
    page = response.text
    assert "AlipayHK" in page
    assert "Sandbox Merchant" in page
    assert "Automatic payments" in page
    for name in ("Alice Chan", "Ben Wong", "Carol Lee"):
        assert name in page
    assert "Dewi" not in page
    assert "HK$5,000.00" in page
    assert 'name="viewport"' in page
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("?lang=zh-HK", None, "同意"),
        ("?lang=id", None, "Setuju"),
        ("", "zh-TW,zh;q=0.9", "同意"),
        ("", "id-ID", "Setuju"),
        ("", "fr-FR", "Agree"),
        ("?lang=xx", "en", "Agree"),
    ],
)
async def test_languages(harness: Harness, query: str, header: str | None, expected: str) -> None:
    """English, Traditional Chinese (HK) and Indonesian, by ?lang= or Accept-Language."""
    headers = {"Accept-Language": header} if header else {}
    response = await harness.http.get(await _qr_path(harness) + query, headers=headers)
    assert expected in response.text


async def test_dana_page_formats_rupiah(harness: Harness) -> None:
    """A DANA QR lists DANA buyers with rupiah balances (Indonesian formatting in id)."""
    page = (await harness.http.get(await _qr_path(harness, "DANA") + "?lang=id")).text
    assert "Dewi Lestari" in page
    assert "Rp5.000.000" in page


async def test_agree_form_sends_authcode(harness: Harness) -> None:
    """Posting Agree for a buyer links them and sends AUTHCODE_CREATED."""
    path = await _qr_path(harness)
    response = await harness.http.post(path, data={"buyer": "hk-ben", "action": "agree",
                                                   "lang": "en"})
    assert response.status_code == 200
    assert "Linked" in response.text
    await harness.drain()
    [note] = harness.receiver.of("/authorization")
    assert note.json["authorizationNotifyType"] == "AUTHCODE_CREATED"
    again = await harness.http.get(path)
    assert again.status_code == 409
    assert "already used" in again.text


async def test_expired_and_unknown_qr_pages(harness: Harness) -> None:
    """An expired QR says so (410); an unknown one too (404)."""
    path = await _qr_path(harness)
    await harness.advance(15 * 60)
    assert (await harness.http.get(path)).status_code == 410
    assert (await harness.http.get("/wallet/authorize/nope")).status_code == 404
    assert (await harness.http.get("/wallet/qr/nope.png")).status_code == 404


async def test_linked_page_and_unlink(harness: Harness) -> None:
    """The linked-merchants page lists the buyer's merchants; Unlink removes one."""
    await harness.bind(buyer="hk-carol")
    page = (await harness.http.get("/wallet/linked?buyer=hk-carol")).text
    assert "Sandbox Merchant" in page
    binding = re.search(r'/wallet/linked/([^/"]+)/unlink', page)
    assert binding is not None
    response = await harness.http.post(f"/wallet/linked/{binding.group(1)}/unlink",
                                       data={"buyer": "hk-carol", "lang": "en"})
    assert response.status_code == 303
    after = (await harness.http.get(response.headers["location"])).text
    assert "was unlinked" in after
    assert "No merchants" in after
    assert (await harness.http.get("/wallet")).status_code == 200


async def test_unlink_needs_the_right_buyer(harness: Harness) -> None:
    """Another buyer cannot unlink someone else's merchant."""
    await harness.bind(buyer="hk-carol")
    [binding] = harness.sandbox.auths.bindings_of("hk-carol")
    response = await harness.http.post(f"/wallet/linked/{binding['binding_id']}/unlink",
                                       data={"buyer": "hk-alice"})
    assert response.status_code == 404
    assert harness.sandbox.auths.bindings_of("hk-carol") != []


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300), action=st.sampled_from(["agree", "decline", "x", ""]),
       buyer=st.text(max_size=30))
async def test_hostile_forms_never_break_the_page(
    harness: Harness, body: bytes, action: str, buyer: str
) -> None:
    """Random form bodies and fields get a page or a 4xx, never a 5xx."""
    for path in ("/wallet/authorize/whatever", "/wallet/linked/whatever/unlink"):
        raw = await harness.http.post(path, content=body,
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert raw.status_code < 500
        form = await harness.http.post(path, data={"action": action, "buyer": buyer})
        assert form.status_code < 500
    api = await harness.http.post("/wallet/api/approve", content=body)
    assert 400 <= api.status_code < 500
