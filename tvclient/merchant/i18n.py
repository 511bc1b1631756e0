"""Messages a buyer can read, per language, for every stable error and failure code."""
# ruff: noqa: RUF001 - Chinese texts use full-width punctuation on purpose

from __future__ import annotations

__all__ = ["message", "pick_language"]

_SUPPORTED = ("en", "zh-HK", "id")

_MESSAGES: dict[str, tuple[str, str, str]] = {
    # code: (en, zh-HK, id)
    "VALIDATION_ERROR": ("The request is not valid.", "請求無效。", "Permintaan tidak valid."),
    "SLOW_DOWN": ("Polling too fast.", "查詢太頻密。", "Terlalu sering memeriksa."),
    "UNAUTHENTICATED": (
        "This device is not signed in.",
        "此裝置尚未登入。",
        "Perangkat ini belum masuk.",
    ),
    "ENROLMENT_REFUSED": (
        "This device may not be enrolled.",
        "此裝置無法登記。",
        "Perangkat ini tidak dapat didaftarkan.",
    ),
    "NOT_FOUND": ("Not found.", "找不到。", "Tidak ditemukan."),
    "IDEMPOTENCY_KEY_REUSED": (
        "This purchase was already made with different details.",
        "此購買已用不同資料提交。",
        "Pembelian ini sudah dibuat dengan rincian berbeda.",
    ),
    "PRICE_CHANGED": (
        "The price has changed. Please check it and try again.",
        "價格已更改，請確認後再試。",
        "Harga telah berubah. Periksa dan coba lagi.",
    ),
    "BINDING_REVOKED": (
        "This wallet is no longer linked. Please link it again.",
        "此錢包已解除連結，請重新連結。",
        "Dompet ini tidak lagi terhubung. Silakan hubungkan lagi.",
    ),
    "BINDING_EXPIRED": (
        "This wallet link has expired. Please link it again.",
        "此錢包連結已過期，請重新連結。",
        "Tautan dompet ini sudah kedaluwarsa. Silakan hubungkan lagi.",
    ),
    "CURRENCY_MISMATCH": (
        "This item cannot be paid with this wallet.",
        "此貨品不能用此錢包付款。",
        "Item ini tidak dapat dibayar dengan dompet ini.",
    ),
    "BODY_TOO_LARGE": ("The request is too large.", "請求過大。", "Permintaan terlalu besar."),
    "RATE_LIMITED": (
        "Too many requests. Please wait a moment.",
        "請求太多，請稍候。",
        "Terlalu banyak permintaan. Mohon tunggu sebentar.",
    ),
    "BACKEND_UNAVAILABLE": (
        "The service is busy. Please try again shortly.",
        "服務繁忙，請稍後再試。",
        "Layanan sedang sibuk. Silakan coba lagi nanti.",
    ),
    "METHOD_NOT_ALLOWED": (
        "This action is not supported here.",
        "不支援此操作。",
        "Tindakan ini tidak didukung.",
    ),
    "INTERNAL_ERROR": (
        "Something went wrong. Nothing was charged.",
        "發生錯誤，未有收費。",
        "Terjadi kesalahan. Tidak ada biaya yang ditagih.",
    ),
    # purchase failure codes
    "BELOW_MINIMUM": (
        "This amount is below the wallet's minimum.",
        "金額低於錢包的最低限額。",
        "Jumlah ini di bawah batas minimum dompet.",
    ),
    "ABOVE_TRANSACTION_LIMIT": (
        "This amount is above the wallet's limit per payment.",
        "金額超出錢包的單筆付款上限。",
        "Jumlah ini melebihi batas per pembayaran dompet.",
    ),
    "DAILY_LIMIT_REACHED": (
        "The wallet's daily limit is reached. Please try again tomorrow.",
        "已達錢包每日上限，請明天再試。",
        "Batas harian dompet tercapai. Silakan coba lagi besok.",
    ),
    "YEARLY_LIMIT_REACHED": (
        "The wallet's yearly limit is reached. Please contact the wallet.",
        "已達錢包每年上限，請聯絡錢包。",
        "Batas tahunan dompet tercapai. Silakan hubungi dompet.",
    ),
    "INSUFFICIENT_BALANCE": (
        "The wallet balance is too low. Top up, then try again.",
        "錢包餘額不足，請增值後再試。",
        "Saldo dompet tidak cukup. Isi ulang, lalu coba lagi.",
    ),
    "PAYMENT_DECLINED": (
        "The wallet declined this payment. Please contact the wallet.",
        "錢包拒絕了此付款，請聯絡錢包。",
        "Dompet menolak pembayaran ini. Silakan hubungi dompet.",
    ),
    "WALLET_UNAVAILABLE": (
        "The wallet could not be reached. Nothing was charged. Please try later.",
        "未能連接錢包，未有收費，請稍後再試。",
        "Dompet tidak dapat dihubungi. Tidak ada biaya. Silakan coba lagi nanti.",
    ),
    "PAYMENT_TIMEOUT": (
        "The wallet did not confirm in time. The payment was cancelled; nothing was charged.",
        "錢包未能及時確認，付款已取消，未有收費。",
        "Dompet tidak mengonfirmasi tepat waktu. Pembayaran dibatalkan; tidak ada biaya.",
    ),
    # bind session failures
    "CANCELLED": ("Linking was cancelled.", "已取消連結。", "Penautan dibatalkan."),
    "DECLINED": ("The wallet declined the link.", "錢包拒絕了連結。", "Dompet menolak penautan."),
    "AUTHORIZATION_FAILED": (
        "The wallet link could not be completed. Please try again.",
        "未能完成錢包連結，請再試。",
        "Penautan dompet tidak dapat diselesaikan. Silakan coba lagi.",
    ),
}


def pick_language(accept_language: str | None) -> str:
    """The supported language a device asked for (`en`, `zh-HK`, `id`); English otherwise."""
    if not accept_language:
        return "en"
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag in {"zh-hk", "zh-hant-hk", "zh-hant", "zh-mo", "zh-tw", "zh"}:
            return "zh-HK"
        if tag in {"id", "id-id", "in"}:
            return "id"
        if tag.startswith("en") or tag == "*":
            return "en"
    return "en"


def message(code: str, language: str = "en") -> str:
    """The readable message for a code in a language (English if unsupported)."""
    texts = _MESSAGES.get(code)
    if texts is None:
        return code.replace("_", " ").capitalize() + "."
    index = _SUPPORTED.index(language) if language in _SUPPORTED else 0
    return texts[index]
