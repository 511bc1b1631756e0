"""The phone wallet page: what a buyer sees after scanning the TV's QR with their phone.

Plain server-rendered HTML for a phone screen: no script, no external asset (a Content
Security Policy forbids them), neutral sandbox styling without any real brand mark. It shows
which wallet, which merchant and what is being authorized; the buyer picks one of the seeded
test accounts and taps Agree (AUTHCODE_CREATED goes to the merchant) or Decline (the QR is
used up; Antom notifies only successes, so the merchant hears nothing). A linked-merchants
page lets a buyer unlink a merchant (TOKEN_CANCELED goes to the merchant).

Routes (all below `/wallet`):
    GET  /wallet                              choose an account (links to its merchants)
    GET  /wallet/authorize/{code}             the authorization page (the QR's URL)
    POST /wallet/authorize/{code}             form: buyer, action=agree|decline, lang
    GET  /wallet/qr/{code}.png                the QR as an image (consult's BIGIMAGE entry)
    GET  /wallet/linked?buyer=ID              the buyer's linked merchants
    POST /wallet/linked/{binding}/unlink      form: buyer, lang
    POST /wallet/api/approve                  JSON {codeValue, buyerId?, decision?}: the
                                              buyer's answer without a browser (approve command)
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from tvclient.money import WALLET_RULES, Money, Wallet, format_money
from tvclient.sandbox.authorization import ConsultStatus, qr_code_from_value
from tvclient.sandbox.buyers import mask_login
from tvclient.sandbox.core import Sandbox
from tvclient.sandbox.errors import OperatorError
from tvclient.sandbox.store import Row
from tvclient.sandbox.times import from_ms
from tvclient.sandbox.wallet_text import BABEL_LOCALES, LANGUAGES, TEXTS, pick_language

__all__ = ["WalletPage", "read_form"]

_MAX_FORM_BYTES = 8 * 1024
_BUYER_COOKIE = "sandbox_buyer"
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_STYLE = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#334e68;
--ok:#2f855a;--warn:#9b2c2c}
*{box-sizing:border-box}
body{margin:0;font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"Noto Sans CJK TC",sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:460px;margin:0 auto;padding:16px 16px 32px}
header{display:flex;align-items:center;gap:12px;margin:4px 0 12px}
.mark{width:44px;height:44px;border-radius:12px;background:var(--accent);color:#fff;
display:flex;align-items:center;justify-content:center;font-weight:700;font-size:15px}
.wallet{font-weight:700;font-size:19px}
.note{font-size:14px;color:var(--muted)}
.banner{background:#fffbea;border:1px dashed #b7791f;color:#744210;border-radius:10px;
padding:6px 10px;font-size:14px;margin:0 0 14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:16px;
margin:0 0 14px}
h1{font-size:22px;margin:0 0 8px}
h2{font-size:16px;margin:0 0 8px;color:var(--muted);font-weight:600}
ul{margin:0;padding-left:20px}
fieldset{border:0;margin:0;padding:0}
legend{font-weight:600;margin-bottom:8px}
.account{display:flex;align-items:center;gap:12px;border:1px solid var(--line);
border-radius:12px;padding:12px;margin:0 0 8px;min-height:56px;background:#fff}
.account input{width:22px;height:22px;margin:0}
.account .who{flex:1}
.account .name{font-weight:600}
.account .meta{font-size:14px;color:var(--muted)}
.actions{display:flex;gap:10px;margin-top:14px}
button,.button{flex:1;min-height:52px;border-radius:12px;font:inherit;font-weight:700;
border:1px solid var(--accent);cursor:pointer;text-align:center;text-decoration:none;
display:inline-flex;align-items:center;justify-content:center;padding:0 14px}
.agree{background:var(--accent);color:#fff}
.decline{background:#fff;color:var(--accent)}
.unlink{background:#fff;color:var(--warn);border-color:var(--warn);flex:0 0 auto;min-height:44px}
.result{font-size:56px;text-align:center;margin:6px 0}
.ok{color:var(--ok)}.bad{color:var(--warn)}
nav{display:flex;flex-wrap:wrap;gap:12px;font-size:14px;margin-top:18px}
nav a,a{color:var(--accent)}
.row{display:flex;align-items:center;gap:12px;justify-content:space-between}
.notice{background:#e3f9e5;border:1px solid #31c48d;border-radius:10px;padding:8px 10px;
margin:0 0 12px}
"""


def read_form(body: bytes) -> dict[str, str]:
    """Read an URL-encoded form body (first value of each field).

    Raises:
        OperatorError: the body is too large or not a form.
    """
    if len(body) > _MAX_FORM_BYTES:
        raise OperatorError(413, "TOO_LARGE", "the form is too large")
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise OperatorError(400, "BAD_FORM", "the form could not be read") from None
    return {key: values[0] for key, values in fields.items() if values}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class WalletPage:
    """Renders the wallet pages of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        """The Starlette routes of the wallet page."""
        return [
            Route("/wallet", self.home, methods=["GET"]),
            Route("/wallet/", self.home, methods=["GET"]),
            Route("/wallet/authorize/{code}", self.authorize, methods=["GET", "POST"]),
            Route("/wallet/qr/{code}.png", self.qr_image, methods=["GET"]),
            Route("/wallet/linked", self.linked, methods=["GET"]),
            Route("/wallet/linked/{binding}/unlink", self.unlink, methods=["POST"]),
            Route("/wallet/api/approve", self.api_approve, methods=["POST"]),
        ]

    # ------------------------------------------------------------------ helpers
    def _lang(self, request: Request, form: Mapping[str, str] | None = None) -> str:
        asked = (form or {}).get("lang") or request.query_params.get("lang")
        return pick_language(asked, request.headers.get("accept-language"))

    def _page(
        self, request: Request, lang: str, title: str, body: str, *, status: int = 200,
        wallet: str | None = None,
    ) -> Response:
        t = TEXTS[lang]
        switch = " ".join(
            f'<a href="{_e(request.url.path)}?{_e(self._query(request, lang=code))}" '
            f'lang="{code}" hreflang="{code}">{_e(TEXTS[code]["language_name"])}</a>'
            for code in LANGUAGES if code != lang
        )
        if wallet is not None:
            rules = WALLET_RULES[Wallet(wallet)]
            mark = "HK" if wallet == Wallet.ALIPAY_HK else rules.display_name[:2].upper()
            head = (
                f'<header><div class="mark" aria-hidden="true">{_e(mark)}</div><div>'
                f'<div class="wallet">{_e(rules.display_name)}</div>'
                f'<div class="note">{_e(t["title"])}</div></div></header>'
            )
        else:
            head = (
                '<header><div class="mark" aria-hidden="true">SB</div><div>'
                f'<div class="wallet">{_e(t["title"])}</div></div></header>'
            )
        page = (
            f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{_e(title)} · {_e(t['title'])}</title><style>{_STYLE}</style></head>"
            f'<body><main>{head}<p class="banner">{_e(t["sandbox_note"])}</p>{body}'
            f'<nav aria-label="{_e(t["language"])}">{switch}'
            f'<a href="/wallet/linked?{_e(urlencode({"lang": lang}))}">{_e(t["linked_link"])}</a>'
            "</nav></main></body></html>"
        )
        return Response(page, status_code=status, media_type="text/html; charset=utf-8",
                        headers=_SECURITY_HEADERS)

    @staticmethod
    def _query(request: Request, **changes: str) -> str:
        params = {k: v for k, v in request.query_params.items() if k in {"buyer"}}
        params.update(changes)
        return urlencode(params)

    def _message_page(
        self, request: Request, lang: str, heading_key: str, body_key: str, *, status: int,
        ok: bool, wallet: str | None = None, values: Mapping[str, str] | None = None,
    ) -> Response:
        t = TEXTS[lang]
        symbol = '<div class="result ok" aria-hidden="true">✓</div>' if ok else (
            '<div class="result bad" aria-hidden="true">✕</div>'
        )
        values = values or {}
        body = (
            f'<section class="card" role="status">{symbol}<h1>{_e(t[heading_key])}</h1>'
            f"<p>{_e(t[body_key].format(**values))}</p></section>"
        )
        return self._page(request, lang, t[heading_key], body, status=status, wallet=wallet)

    def _qr_error(self, request: Request, lang: str, error: OperatorError) -> Response:
        keys = {
            "QR_EXPIRED": ("expired_heading", "expired_body"),
            "QR_USED": ("used_heading", "used_body"),
            "QR_NOT_FOUND": ("unknown_heading", "unknown_body"),
        }
        if error.code in keys:
            heading, body = keys[error.code]
            return self._message_page(request, lang, heading, body, status=error.status, ok=False)
        t = TEXTS[lang]
        return self._page(
            request, lang, t["error_heading"],
            f'<section class="card" role="alert"><h1>{_e(t["error_heading"])}</h1>'
            f"<p>{_e(error.message)}</p></section>",
            status=error.status,
        )

    def _money(self, buyer: Row, lang: str) -> str:
        return format_money(Money(int(buyer["balance"]), buyer["currency"]), BABEL_LOCALES[lang])

    # ------------------------------------------------------------------ pages
    async def home(self, request: Request) -> Response:
        """Choose a test account; each links to its linked merchants."""
        lang = self._lang(request)
        t = TEXTS[lang]
        items = "".join(
            f'<a class="account" href="/wallet/linked?'
            f'{_e(urlencode({"buyer": b["buyer_id"], "lang": lang}))}">'
            f'<span class="who"><span class="name">{_e(b["name"])}</span><br>'
            f'<span class="meta">{_e(WALLET_RULES[Wallet(b["wallet"])].display_name)} · '
            f'{_e(mask_login(b["login_id"]))}</span></span>'
            f'<span class="meta">{_e(self._money(b, lang))}</span></a>'
            for b in self._sandbox.buyers.all()
        )
        body = f'<section class="card"><h1>{_e(t["choose_account"])}</h1>{items}</section>'
        return self._page(request, lang, t["choose_account"], body)

    async def authorize(self, request: Request) -> Response:
        """The authorization page (GET) and the buyer's answer (POST)."""
        code = request.path_params["code"]
        if request.method == "POST":
            return await self._answer(request, code)
        lang = self._lang(request)
        sandbox = self._sandbox
        qr = sandbox.auths.qr(code, sandbox.now_ms())
        if qr is None:
            return self._qr_error(request, lang, OperatorError(404, "QR_NOT_FOUND", ""))
        if qr["status"] == ConsultStatus.LAPSED:
            return self._qr_error(request, lang, OperatorError(410, "QR_EXPIRED", ""))
        if qr["status"] != ConsultStatus.PENDING:
            return self._qr_error(request, lang, OperatorError(409, "QR_USED", ""))
        return self._authorize_form(request, lang, qr)

    def _authorize_form(self, request: Request, lang: str, qr: Row) -> Response:
        t = TEXTS[lang]
        sandbox = self._sandbox
        rules = WALLET_RULES[Wallet(qr["wallet"])]
        merchant = sandbox.auths.merchant_name(qr["client_id"])
        values = {"wallet": rules.display_name, "merchant": merchant}
        until = from_ms(qr["expires_at"]).astimezone(rules.timezone).strftime("%H:%M")
        accounts = "".join(
            f'<label class="account"><input type="radio" name="buyer" '
            f'value="{_e(b["buyer_id"])}"{" checked" if i == 0 else ""}>'
            f'<span class="who"><span class="name">{_e(b["name"])}</span><br>'
            f'<span class="meta">{_e(mask_login(b["login_id"]))}</span></span>'
            f'<span class="meta">{_e(t["balance"])}<br>{_e(self._money(b, lang))}</span></label>'
            for i, b in enumerate(sandbox.buyers.of_wallet(qr["wallet"]))
        )
        body = (
            f'<section class="card"><h1>{_e(t["authorize_heading"].format(**values))}</h1>'
            f'<p>{_e(t["authorize_body"].format(**values))}</p>'
            f'<h2>{_e(t["scope_label"])}</h2>'
            f'<ul><li>{_e(t["scope_agreement"].format(**values))}</li></ul>'
            f'<p class="note">{_e(t["valid_until"].format(time=until))}</p></section>'
            f'<form method="post" class="card">'
            f'<input type="hidden" name="lang" value="{_e(lang)}">'
            f'<fieldset><legend>{_e(t["pick_account"])}</legend>{accounts}</fieldset>'
            f'<div class="actions">'
            f'<button type="submit" name="action" value="decline" class="decline">'
            f'{_e(t["decline"])}</button>'
            f'<button type="submit" name="action" value="agree" class="agree">'
            f'{_e(t["agree"])}</button></div></form>'
        )
        return self._page(request, lang, t["authorize_heading"].format(**values), body,
                          wallet=qr["wallet"])

    async def _answer(self, request: Request, code: str) -> Response:
        body = await _limited_body(request)
        try:
            form = read_form(body)
        except OperatorError as exc:
            return self._qr_error(request, self._lang(request), exc)
        lang = self._lang(request, form)
        sandbox = self._sandbox
        action = form.get("action", "")
        buyer = form.get("buyer") or None
        try:
            if action == "agree":
                outcome = sandbox.auths.approve(code, buyer, sandbox.now_ms())
            elif action == "decline":
                outcome = sandbox.auths.decline(code, buyer, sandbox.now_ms())
            else:
                raise OperatorError(400, "BAD_ACTION", "choose Agree or Decline")
        except OperatorError as exc:
            return self._qr_error(request, lang, exc)
        rules = WALLET_RULES[Wallet(outcome["wallet"])]
        values = {
            "wallet": rules.display_name,
            "merchant": sandbox.auths.merchant_name(outcome["clientId"]),
        }
        agreed = action == "agree"
        response = self._message_page(
            request, lang,
            "agreed_heading" if agreed else "declined_heading",
            "agreed_body" if agreed else "declined_body",
            status=200, ok=agreed, wallet=outcome["wallet"], values=values,
        )
        response.set_cookie(_BUYER_COOKIE, outcome["buyerId"], path="/wallet",
                            httponly=True, samesite="lax")
        return response

    async def qr_image(self, request: Request) -> Response:
        """The QR of a consult as a PNG (what consult's image entry points at)."""
        code = request.path_params["code"]
        if self._sandbox.auths.qr(code, self._sandbox.now_ms()) is None:
            return Response("unknown QR code\n", status_code=404, media_type="text/plain")
        import qrcode
        from qrcode.image.pil import PilImage

        image = qrcode.make(
            self._sandbox.auths.qr_url(code), box_size=8, border=4, image_factory=PilImage
        )
        buffer = io.BytesIO()
        image.save(buffer)
        return Response(buffer.getvalue(), media_type="image/png", headers=_SECURITY_HEADERS)

    async def linked(self, request: Request) -> Response:
        """A buyer's linked merchants, each with an Unlink button."""
        lang = self._lang(request)
        t = TEXTS[lang]
        sandbox = self._sandbox
        buyer_id = request.query_params.get("buyer") or request.cookies.get(_BUYER_COOKIE)
        buyer = sandbox.buyers.get(buyer_id) if buyer_id else None
        if buyer is None:
            return await self.home(request)
        notice = ""
        done = request.query_params.get("done")
        if done:
            row = sandbox.store.one(
                "SELECT client_id FROM bindings WHERE binding_id = ? AND buyer_id = ?",
                (done, buyer["buyer_id"]),
            )
            if row is not None:
                name = sandbox.auths.merchant_name(row["client_id"])
                notice = (
                    f'<p class="notice" role="status">'
                    f'{_e(t["unlinked_notice"].format(merchant=name))}</p>'
                )
        items = "".join(
            f'<div class="account row"><span class="who"><span class="name">'
            f'{_e(b["merchant_name"])}</span><br><span class="meta">'
            f'{_e(t["linked_since"].format(date=_day(b["created_at"], b["wallet"])))}</span>'
            f'</span><form method="post" action="/wallet/linked/{_e(b["binding_id"])}/unlink">'
            f'<input type="hidden" name="buyer" value="{_e(buyer["buyer_id"])}">'
            f'<input type="hidden" name="lang" value="{_e(lang)}">'
            f'<button type="submit" class="unlink">{_e(t["unlink"])}</button></form></div>'
            for b in sandbox.auths.bindings_of(buyer["buyer_id"])
        ) or f'<p class="note">{_e(t["linked_empty"])}</p>'
        body = (
            f'{notice}<section class="card"><h1>{_e(t["linked_heading"])}</h1>'
            f'<p class="note">{_e(buyer["name"])} · {_e(mask_login(buyer["login_id"]))}</p>'
            f"{items}</section>"
        )
        return self._page(request, lang, t["linked_heading"], body, wallet=buyer["wallet"])

    async def unlink(self, request: Request) -> Response:
        """Unlink a merchant; back to the list with a notice."""
        body = await _limited_body(request)
        try:
            form = read_form(body)
            buyer = form.get("buyer") or None
            lang = self._lang(request, form)
            sandbox = self._sandbox
            sandbox.auths.unlink(request.path_params["binding"], buyer, sandbox.now_ms())
        except OperatorError as exc:
            return self._qr_error(request, self._lang(request), exc)
        query = urlencode(
            {"buyer": buyer or "", "lang": lang, "done": request.path_params["binding"]}
        )
        return RedirectResponse(f"/wallet/linked?{query}", status_code=303)

    async def api_approve(self, request: Request) -> Response:
        """The buyer's answer as JSON: `{codeValue, buyerId?, decision?: agree|decline}`."""
        body = await _limited_body(request)
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return _json_error(OperatorError(400, "BAD_REQUEST", "the body must be JSON"))
        try:
            return JSONResponse(answer_qr(self._sandbox, data))
        except OperatorError as exc:
            return _json_error(exc)


def answer_qr(sandbox: Sandbox, data: Any) -> dict[str, Any]:
    """Agree (default) or decline a QR for a buyer, from a decoded JSON request.

    Raises:
        OperatorError: bad request, unknown / used / lapsed QR, unknown or wrong-wallet buyer.
    """
    if not isinstance(data, dict):
        raise OperatorError(400, "BAD_REQUEST", "the body must be a JSON object")
    value, buyer, decision = data.get("codeValue"), data.get("buyerId"), data.get("decision")
    if not isinstance(value, str) or not value.strip() or len(value) > 2048:
        raise OperatorError(400, "BAD_REQUEST", "codeValue must be the QR's text")
    if buyer is not None and (not isinstance(buyer, str) or len(buyer) > 64):
        raise OperatorError(400, "BAD_REQUEST", "buyerId must be a buyer ID")
    if decision not in (None, "agree", "decline"):
        raise OperatorError(400, "BAD_REQUEST", "decision must be agree or decline")
    code = qr_code_from_value(value)
    now = sandbox.now_ms()
    if decision == "decline":
        return sandbox.auths.decline(code, buyer, now)
    return sandbox.auths.approve(code, buyer, now)


def _day(ms: int, wallet: str) -> str:
    zone = WALLET_RULES[Wallet(wallet)].timezone
    moment: dt.datetime = from_ms(ms).astimezone(zone)
    return moment.date().isoformat()


async def _limited_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > _MAX_FORM_BYTES:
            return b"\x00" * (_MAX_FORM_BYTES + 1)
        chunks.append(chunk)
    return b"".join(chunks)


def _json_error(error: OperatorError) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": error.code, "message": error.message}}, status_code=error.status
    )
