import base64
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.antom.conftest import FIXTURES
from tvclient.antom.errors import KeyFormatError
from tvclient.antom.keys import (
    KeyForm,
    generate_private_key,
    load_private_key,
    load_public_key,
    private_key_text,
    public_key_text,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)


def _same_private(a: rsa.RSAPrivateKey, b: rsa.RSAPrivateKey) -> bool:
    return a.private_numbers() == b.private_numbers()


def test_private_key_loads_from_every_accepted_form(merchant_key):
    """A private key loads from bare base64 PKCS#8, PKCS#8 PEM and PKCS#1 PEM alike."""
    pkcs1 = merchant_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    forms = [
        private_key_text(merchant_key, KeyForm.BASE64),
        private_key_text(merchant_key, KeyForm.PEM),
        pkcs1,
        pkcs1.decode(),
        private_key_text(merchant_key, KeyForm.PEM).encode(),
    ]
    for form in forms:
        assert _same_private(load_private_key(form), merchant_key)
    assert "BEGIN RSA PRIVATE KEY" in pkcs1.decode()


def test_private_key_with_python_sdk_label_quirk_loads(merchant_key):
    """PKCS#8 DER wrapped in an `RSA PRIVATE KEY` label (Antom's Python SDK) still loads."""
    bare = private_key_text(merchant_key, KeyForm.BASE64)
    lines = "\n".join(bare[i : i + 64] for i in range(0, len(bare), 64))
    text = f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----\n"
    assert _same_private(load_private_key(text), merchant_key)


def test_public_key_loads_from_pem_and_bare_base64(merchant_public_key):
    """A public key loads from bare base64 SubjectPublicKeyInfo and from `PUBLIC KEY` PEM."""
    for form in KeyForm:
        text = public_key_text(merchant_public_key, form)
        assert load_public_key(text).public_numbers() == merchant_public_key.public_numbers()
    wrapped = "\n".join(public_key_text(merchant_public_key, KeyForm.BASE64)[i : i + 76]
                        for i in range(0, 392, 76))
    assert load_public_key(wrapped).public_numbers() == merchant_public_key.public_numbers()


def test_fixture_keys_are_the_matching_pairs(merchant_key, merchant_public_key):
    """The stored merchant public key belongs to the stored merchant private key."""
    assert merchant_key.public_key().public_numbers() == merchant_public_key.public_numbers()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("not a key!", "neither PEM nor base64"),
        (base64.b64encode(b"garbage").decode(), "could not be read"),
        ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
         "encrypted"),
    ],
)
def test_bad_private_key_text_is_a_key_format_error(text, needle):
    """Unusable private key text raises KeyFormatError saying what is wrong."""
    with pytest.raises(KeyFormatError, match=needle):
        load_private_key(text)


def test_non_rsa_and_small_keys_are_refused():
    """EC keys and RSA keys under 2048 bits are refused."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_der = ec_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyFormatError, match="not an RSA key"):
        load_private_key(base64.b64encode(ec_der))
    ec_pub = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFormatError, match="not an RSA key"):
        load_public_key(ec_pub)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - must be refused
    with pytest.raises(KeyFormatError, match="1024 bits"):
        load_private_key(private_key_text(small))
    with pytest.raises(KeyFormatError, match="1024 bits"):
        load_public_key(public_key_text(small.public_key()))
    with pytest.raises(KeyFormatError):
        generate_private_key(1024)


def test_public_key_given_as_private_is_refused(merchant_key, merchant_public_key):
    """Loading a public key where a private one is expected (and back) is a clear error."""
    with pytest.raises(KeyFormatError):
        load_private_key(public_key_text(merchant_public_key))
    with pytest.raises(KeyFormatError):
        load_public_key(private_key_text(merchant_key))


def test_written_keys_read_back_and_private_stays_owner_only(tmp_path, merchant_key):
    """Written keys read back in both forms; a private key file is mode 0600."""
    for form in KeyForm:
        private_path = tmp_path / f"private.{form}"
        public_path = tmp_path / f"public.{form}"
        write_private_key(private_path, merchant_key, form)
        write_public_key(public_path, merchant_key.public_key(), form)
        assert _same_private(read_private_key(private_path), merchant_key)
        assert read_public_key(public_path).public_numbers() == (
            merchant_key.public_key().public_numbers()
        )
        assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert "\n" not in private_key_text(merchant_key, KeyForm.BASE64)


def test_reading_missing_or_bad_files_names_the_file(tmp_path):
    """File errors are KeyFormatError naming the file."""
    with pytest.raises(KeyFormatError, match=r"nope\.pem"):
        read_private_key(tmp_path / "nope.pem")
    with pytest.raises(KeyFormatError, match=r"nope\.pem"):
        read_public_key(tmp_path / "nope.pem")
    bad = tmp_path / "bad.pem"
    bad.write_text("hello")
    with pytest.raises(KeyFormatError, match=r"bad\.pem"):
        read_private_key(bad)
    with pytest.raises(KeyFormatError, match=r"bad\.pem"):
        read_public_key(bad)


def test_generated_keys_are_2048_bit_and_fixture_files_exist():
    """Generated keys have 2048 bits, Antom's size."""
    assert generate_private_key().key_size == 2048
    assert (FIXTURES / "antom_public.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
