"""Fixed test keys of the Antom tests (generated once, stored under fixtures/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tvclient.antom.keys import (
    RSAPrivateKey,
    RSAPublicKey,
    read_private_key,
    read_public_key,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def merchant_key() -> RSAPrivateKey:
    """The merchant's private key (stored as PKCS#8 PEM)."""
    return read_private_key(FIXTURES / "merchant_private.pem")


@pytest.fixture(scope="session")
def merchant_public_key() -> RSAPublicKey:
    """The merchant's public key (stored as bare base64, as the dashboard shows it)."""
    return read_public_key(FIXTURES / "merchant_public.b64")


@pytest.fixture(scope="session")
def antom_key() -> RSAPrivateKey:
    """Antom's (the test Antom's) private key (stored as bare base64 PKCS#8)."""
    return read_private_key(FIXTURES / "antom_private.b64")


@pytest.fixture(scope="session")
def antom_public_key() -> RSAPublicKey:
    """Antom's public key (stored as PEM)."""
    return read_public_key(FIXTURES / "antom_public.pem")


def load_vectors() -> list[dict[str, Any]]:
    """The fixed signature vectors."""
    data: list[dict[str, Any]] = json.loads((FIXTURES / "vectors.json").read_text("utf-8"))
    return data
