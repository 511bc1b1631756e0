"""Antom tokens at rest: encrypted in the database, looked up by a keyed digest.

Access and refresh tokens let the merchant debit a buyer, so they are never stored in plain
text. AES-256-GCM encrypts them; an HMAC-SHA256 digest lets a `TOKEN_CANCELED` notification
find its binding without decrypting every row. The key comes from the `token_key` setting, or,
when that is unset, is derived (HKDF) from the merchant's Antom private key — another secret
only the backend holds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tvclient.merchant.errors import MerchantError

__all__ = ["TokenVault", "TokenVaultError"]


class TokenVaultError(MerchantError):
    """A stored token cannot be decrypted (wrong key or damaged row)."""


class TokenVault:
    """Encrypts, decrypts and digests Antom tokens with keys derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the token key must hold at least 16 bytes")
        okm = HKDF(
            algorithm=hashes.SHA256(), length=64, salt=None, info=b"tvclient-merchant-tokens-v1"
        ).derive(secret)
        self._aead = AESGCM(okm[:32])
        self._mac_key = okm[32:]

    def seal(self, token: str) -> str:
        """The encrypted form of a token, as text for a database column."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, token.encode("utf-8"), b"antom-token")
        return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        """The token back from its encrypted form.

        Raises:
            TokenVaultError: the text was not sealed with this key, or was altered.
        """
        if not sealed.startswith("v1:"):
            raise TokenVaultError("stored token has an unknown format")
        try:
            raw = base64.urlsafe_b64decode(sealed[3:].encode("ascii"))
            return self._aead.decrypt(raw[:12], raw[12:], b"antom-token").decode("utf-8")
        except (InvalidTag, ValueError):
            raise TokenVaultError("stored token cannot be decrypted with this token key") from None

    def digest(self, token: str) -> str:
        """A keyed digest for looking a token up; reveals nothing about it."""
        return hmac.new(self._mac_key, token.encode("utf-8"), hashlib.sha256).hexdigest()
