"""The exception tree of the Antom package.

Exception tree::

    AntomError
     +-- KeyFormatError (ValueError)       a key could not be loaded or is not a usable RSA key
     +-- SignatureError                    a signed message could not be trusted
     |    +-- MissingHeaderError           a header needed for verification is absent
     |    +-- MalformedHeaderError         a header is present but unreadable
     |    +-- InvalidSignatureError        the signature does not verify
     +-- MessageError (ValueError)         a message body breaks the reference (names the field)
     +-- UnknownApiError (LookupError)     a path that is not one of the Antom APIs covered

Transport trouble in the client is not an exception: it becomes an `Unknown` outcome.
"""

from __future__ import annotations

__all__ = [
    "AntomError",
    "InvalidSignatureError",
    "KeyFormatError",
    "MalformedHeaderError",
    "MessageError",
    "MissingHeaderError",
    "SignatureError",
    "UnknownApiError",
]


class AntomError(Exception):
    """Base of every error raised by `tvclient.antom`."""


class KeyFormatError(AntomError, ValueError):
    """A key is neither PEM nor bare base64 DER of the expected kind, or is not RSA ≥ 2048 bits."""


class SignatureError(AntomError):
    """A signed request, response or notification cannot be trusted."""


class MissingHeaderError(SignatureError):
    """A header needed to verify the signature (Client-Id, the time, Signature) is absent."""

    def __init__(self, header: str) -> None:
        super().__init__(f"missing header {header}")
        self.header = header


class MalformedHeaderError(SignatureError):
    """A signature-related header is present but cannot be read."""


class InvalidSignatureError(SignatureError):
    """The signature does not match the message and the public key."""


class MessageError(AntomError, ValueError):
    """A message breaks the reference; `path` names the field (`paymentAmount.value`)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


class UnknownApiError(AntomError, LookupError):
    """The path is not one of the Antom APIs this package covers."""
