import keyring
from keyring.backends import SecretService


def test_keyring_round_trips_through_secret_service(secret_service):
    """A secret stored through the SecretService backend can be read back."""
    assert isinstance(secret_service.backend(), SecretService.Keyring)
    backend = secret_service.backend()
    backend.set_password("tvclient-test", "binding", "ref-1")
    assert backend.get_password("tvclient-test", "binding") == "ref-1"


def test_secret_persists_across_backend_instances(secret_service):
    """A second, separate backend instance sees what the first stored, and deletion sticks."""
    secret_service.backend().set_password("tvclient-test", "device", "cred-123")
    assert secret_service.backend().get_password("tvclient-test", "device") == "cred-123"
    secret_service.backend().delete_password("tvclient-test", "device")
    assert secret_service.backend().get_password("tvclient-test", "device") is None


def test_global_keyring_api_is_routed_to_the_private_service(secret_service):
    """Inside the fixture the plain keyring API uses Secret Service, not the fail backend."""
    assert isinstance(keyring.get_keyring(), SecretService.Keyring)
    keyring.set_password("tvclient-test", "global", "yes")
    assert secret_service.backend().get_password("tvclient-test", "global") == "yes"


def test_each_test_starts_with_an_empty_keyring(secret_service):
    """Items stored by earlier tests were cleared, so tests cannot leak secrets to each other."""
    for user in ("binding", "global"):
        assert secret_service.backend().get_password("tvclient-test", user) is None


def test_without_the_fixture_the_fail_backend_guards_the_developer_keyring():
    """Tests that do not opt in can never reach a real keyring."""
    from keyring.backends import fail

    assert isinstance(keyring.get_keyring(), fail.Keyring)
