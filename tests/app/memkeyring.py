"""The in-memory keyring the tests use (the product's own, shared with the self-test)."""

from tvclient.device.memory_keyring import MemoryKeyring

__all__ = ["MemoryKeyring"]
