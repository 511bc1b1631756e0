"""A keyring backend that keeps secrets in memory: for the self-test and for tests.

It runs the vault's real code path without D-Bus and never touches the user's own keyring.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

__all__ = ["MemoryKeyring"]


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict, gone with the process."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The secret, or None."""
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Keep the secret."""
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Forget the secret."""
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no secret for {username} in {service}")
