"""RSA keys as Antom hands them out and as files hold them.

Antom's dashboard gives the merchant private key as bare base64 of PKCS#8 DER and Antom's public
key as bare base64 of X.509 SubjectPublicKeyInfo DER. Files and other tools use PEM, with the
PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or `PUBLIC KEY` label. Every loader here
accepts all of these; Antom's Python SDK even wraps PKCS#8 DER in an `RSA PRIVATE KEY` label,
so the label is only a hint and the DER inside decides.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tvclient.antom.errors import KeyFormatError

__all__ = [
    "MIN_KEY_BITS",
    "KeyForm",
    "RSAPrivateKey",
    "RSAPublicKey",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
    "private_key_text",
    "public_key_text",
    "read_private_key",
    "read_public_key",
    "write_private_key",
    "write_public_key",
]

RSAPrivateKey = rsa.RSAPrivateKey
RSAPublicKey = rsa.RSAPublicKey

MIN_KEY_BITS = 2048
_PEM_RE = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----(?P<body>.*?)-----END \1-----", re.DOTALL
)


class KeyForm(StrEnum):
    """How a key is written out."""

    PEM = "pem"
    """PEM: PKCS#8 `PRIVATE KEY` or X.509 `PUBLIC KEY`."""
    BASE64 = "base64"
    """Bare base64 of the same DER, one line, as Antom's dashboard shows it."""


def _der_from_text(data: str | bytes, what: str) -> bytes:
    text = data.decode("ascii", errors="replace") if isinstance(data, bytes) else data
    match = _PEM_RE.search(text)
    if match is not None:
        body = match.group("body")
        if "Proc-Type:" in body or "ENCRYPTED" in match.group(1):
            raise KeyFormatError(f"the {what} is encrypted; give it without a passphrase")
    else:
        body = text
    compact = re.sub(r"\s+", "", body)
    if not compact:
        raise KeyFormatError(f"the {what} is empty")
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError(f"the {what} is neither PEM nor base64") from None


def _check_size(bits: int, what: str) -> None:
    if bits < MIN_KEY_BITS:
        raise KeyFormatError(f"the {what} has {bits} bits; at least {MIN_KEY_BITS} are required")


def load_private_key(data: str | bytes) -> RSAPrivateKey:
    """Load an RSA private key from PEM (PKCS#8 or PKCS#1) or bare base64 PKCS#8 DER.

    Raises:
        KeyFormatError: the text is not such a key, is encrypted, not RSA or under 2048 bits.
    """
    der = _der_from_text(data, "private key")
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError):
        raise KeyFormatError(
            "the private key could not be read (expected RSA PKCS#8 or PKCS#1)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFormatError("the private key is not an RSA key")
    _check_size(key.key_size, "private key")
    return key


def load_public_key(data: str | bytes) -> RSAPublicKey:
    """Load an RSA public key from PEM (`PUBLIC KEY`, or PKCS#1) or bare base64 X.509 DER.

    Raises:
        KeyFormatError: the text is not such a key, not RSA or under 2048 bits.
    """
    der = _der_from_text(data, "public key")
    try:
        key = serialization.load_der_public_key(der)
    except (ValueError, TypeError):
        raise KeyFormatError("the public key could not be read (expected X.509 RSA)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFormatError("the public key is not an RSA key")
    _check_size(key.key_size, "public key")
    return key


def generate_private_key(bits: int = MIN_KEY_BITS) -> RSAPrivateKey:
    """A fresh RSA private key (public exponent 65537), as the Antom dashboard makes them."""
    _check_size(bits, "key to generate")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_key_text(key: RSAPrivateKey, form: KeyForm = KeyForm.PEM) -> str:
    """The private key as PKCS#8 PEM or bare base64 PKCS#8 DER (no trailing newline for base64)."""
    if form is KeyForm.PEM:
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(der).decode("ascii")


def public_key_text(key: RSAPublicKey, form: KeyForm = KeyForm.PEM) -> str:
    """The public key as `PUBLIC KEY` PEM or bare base64 SubjectPublicKeyInfo DER."""
    if form is KeyForm.PEM:
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def read_private_key(path: Path) -> RSAPrivateKey:
    """Load a private key file in any form `load_private_key` accepts.

    Raises:
        KeyFormatError: the file cannot be read or holds no usable key (the message names it).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFormatError(f"cannot read private key file {path}: {exc.strerror}") from None
    try:
        return load_private_key(data)
    except KeyFormatError as exc:
        raise KeyFormatError(f"{path}: {exc}") from None


def read_public_key(path: Path) -> RSAPublicKey:
    """Load a public key file in any form `load_public_key` accepts.

    Raises:
        KeyFormatError: the file cannot be read or holds no usable key (the message names it).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFormatError(f"cannot read public key file {path}: {exc.strerror}") from None
    try:
        return load_public_key(data)
    except KeyFormatError as exc:
        raise KeyFormatError(f"{path}: {exc}") from None


def _write_text(path: Path, text: str, mode: int) -> None:
    # Write to a sibling and rename, so a crash never leaves half a key behind; the file is
    # created with its final permissions so a private key is never readable by others.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
    os.replace(tmp, path)


def write_private_key(path: Path, key: RSAPrivateKey, form: KeyForm = KeyForm.PEM) -> None:
    """Write the private key to `path`, readable by its owner only (mode 0600)."""
    _write_text(path, private_key_text(key, form), 0o600)


def write_public_key(path: Path, key: RSAPublicKey, form: KeyForm = KeyForm.PEM) -> None:
    """Write the public key to `path` (mode 0644)."""
    _write_text(path, public_key_text(key, form), 0o644)
