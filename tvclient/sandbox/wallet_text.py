"""The phone wallet page's words in English, Traditional Chinese (Hong Kong) and Indonesian."""
# ruff: noqa: RUF001 - full-width Chinese punctuation is correct in Chinese text

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

__all__ = ["BABEL_LOCALES", "LANGUAGES", "TEXTS", "pick_language"]

LANGUAGES: tuple[str, ...] = ("en", "zh-HK", "id")
BABEL_LOCALES: Mapping[str, str] = MappingProxyType(
    {"en": "en", "zh-HK": "zh_Hant_HK", "id": "id"}
)
_NAMES = {"en": "English", "zh-HK": "繁體中文", "id": "Bahasa Indonesia"}

_EN = {
    "language_name": _NAMES["en"],
    "title": "Sandbox wallet",
    "sandbox_note": "Test wallet: no real money moves.",
    "authorize_heading": "Link {wallet} to {merchant}",
    "authorize_body": (
        "{merchant} asks to charge your {wallet} account automatically for later purchases, "
        "without asking you each time."
    ),
    "scope_label": "What you allow",
    "scope_agreement": "Automatic payments (Auto Debit) by {merchant}",
    "valid_until": "This request is valid until {time}.",
    "pick_account": "Choose the test account to link",
    "balance": "Balance",
    "agree": "Agree",
    "decline": "Decline",
    "agreed_heading": "Linked",
    "agreed_body": (
        "{merchant} can now charge your {wallet} account. You can look back at the screen."
    ),
    "declined_heading": "Not linked",
    "declined_body": "You declined. {merchant} was not linked to your account.",
    "expired_heading": "QR code expired",
    "expired_body": "This QR code is no longer valid. Ask for a new one on the screen.",
    "used_heading": "QR code already used",
    "used_body": "This QR code was already used. Ask for a new one on the screen.",
    "unknown_heading": "Unknown QR code",
    "unknown_body": "The sandbox wallet does not know this QR code.",
    "error_heading": "Something is not right",
    "linked_heading": "Linked merchants",
    "linked_empty": "No merchants are linked to this account.",
    "linked_since": "Linked on {date}",
    "unlink": "Unlink",
    "unlinked_notice": "{merchant} was unlinked.",
    "choose_account": "Choose a test account",
    "linked_link": "Linked merchants",
    "language": "Language",
}

_ZH_HK = {
    "language_name": _NAMES["zh-HK"],
    "title": "沙盒錢包",
    "sandbox_note": "測試錢包：不涉及真實款項。",
    "authorize_heading": "將{wallet}連結至{merchant}",
    "authorize_body": "{merchant}要求日後購物時自動從你的{wallet}帳戶扣款，無需每次確認。",
    "scope_label": "你授權的內容",
    "scope_agreement": "由{merchant}自動扣款",
    "valid_until": "此要求於{time}前有效。",
    "pick_account": "選擇要連結的測試帳戶",
    "balance": "結餘",
    "agree": "同意",
    "decline": "拒絕",
    "agreed_heading": "已連結",
    "agreed_body": "{merchant}現在可以從你的{wallet}帳戶扣款。你可以返回螢幕。",
    "declined_heading": "未有連結",
    "declined_body": "你已拒絕，{merchant}未有連結至你的帳戶。",
    "expired_heading": "二維碼已過期",
    "expired_body": "此二維碼已失效，請在螢幕上取得新的二維碼。",
    "used_heading": "二維碼已使用",
    "used_body": "此二維碼已被使用，請在螢幕上取得新的二維碼。",
    "unknown_heading": "無法識別的二維碼",
    "unknown_body": "沙盒錢包無法識別此二維碼。",
    "error_heading": "出現問題",
    "linked_heading": "已連結的商戶",
    "linked_empty": "此帳戶沒有已連結的商戶。",
    "linked_since": "於{date}連結",
    "unlink": "解除連結",
    "unlinked_notice": "已解除與{merchant}的連結。",
    "choose_account": "選擇測試帳戶",
    "linked_link": "已連結的商戶",
    "language": "語言",
}

_ID = {
    "language_name": _NAMES["id"],
    "title": "Dompet sandbox",
    "sandbox_note": "Dompet uji: tidak ada uang sungguhan yang berpindah.",
    "authorize_heading": "Hubungkan {wallet} ke {merchant}",
    "authorize_body": (
        "{merchant} meminta izin untuk menagih akun {wallet} Anda secara otomatis untuk "
        "pembelian berikutnya, tanpa meminta persetujuan setiap kali."
    ),
    "scope_label": "Yang Anda izinkan",
    "scope_agreement": "Pembayaran otomatis (Auto Debit) oleh {merchant}",
    "valid_until": "Permintaan ini berlaku sampai {time}.",
    "pick_account": "Pilih akun uji yang akan dihubungkan",
    "balance": "Saldo",
    "agree": "Setuju",
    "decline": "Tolak",
    "agreed_heading": "Terhubung",
    "agreed_body": (
        "{merchant} sekarang dapat menagih akun {wallet} Anda. Silakan lihat kembali layar."
    ),
    "declined_heading": "Tidak terhubung",
    "declined_body": "Anda menolak. {merchant} tidak dihubungkan ke akun Anda.",
    "expired_heading": "Kode QR kedaluwarsa",
    "expired_body": "Kode QR ini sudah tidak berlaku. Minta kode baru di layar.",
    "used_heading": "Kode QR sudah digunakan",
    "used_body": "Kode QR ini sudah digunakan. Minta kode baru di layar.",
    "unknown_heading": "Kode QR tidak dikenal",
    "unknown_body": "Dompet sandbox tidak mengenal kode QR ini.",
    "error_heading": "Ada yang tidak beres",
    "linked_heading": "Merchant terhubung",
    "linked_empty": "Tidak ada merchant yang terhubung ke akun ini.",
    "linked_since": "Terhubung pada {date}",
    "unlink": "Putuskan",
    "unlinked_notice": "{merchant} telah diputuskan.",
    "choose_account": "Pilih akun uji",
    "linked_link": "Merchant terhubung",
    "language": "Bahasa",
}

TEXTS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(_EN),
        "zh-HK": MappingProxyType(_ZH_HK),
        "id": MappingProxyType(_ID),
    }
)


def pick_language(asked: str | None, accept_language: str | None) -> str:
    """The page language: `?lang=` when it is one we have, else the best of Accept-Language.

    Chinese of any region or script maps to zh-HK (the only Chinese we have); `in` is the
    old code for Indonesian.
    """
    if asked is not None and asked in TEXTS:
        return asked
    for tag in _accepted(accept_language or ""):
        base = tag.split("-")[0]
        if base == "en":
            return "en"
        if base == "zh":
            return "zh-HK"
        if base in {"id", "in"}:
            return "id"
    return "en"


def _accepted(header: str) -> Iterable[str]:
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            ranked.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]
