"""Identifiers and random secrets the backend hands out."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["credential_hash", "new_credential", "new_id", "new_secret"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case: no I, L, O, U


def new_id(prefix: str, length: int = 20) -> str:
    """A random identifier such as `pur_5k2x...`: unguessable, URL-safe, easy to read aloud."""
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_secret(nbytes: int = 32) -> str:
    """A random URL-safe secret with `nbytes` of entropy."""
    return secrets.token_urlsafe(nbytes)


def new_credential() -> str:
    """A device credential (`tvd_` + 256 random bits); only its hash is stored."""
    return "tvd_" + secrets.token_urlsafe(32)


def credential_hash(credential: str) -> str:
    """The stored form of a credential.

    A plain SHA-256 suffices: credentials carry 256 random bits, so there is nothing to guess
    and no need for a slow password hash on every request.
    """
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()
