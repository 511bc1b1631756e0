"""The exception tree of the sandbox.

Exception tree::

    SandboxError
     +-- DataDirError          the data dir cannot be created, read or trusted
     +-- ApiError            an Antom API call fails with a result code (answered, never raised
     |                         out of the app)
     +-- OperatorError         an operator or wallet-page request is refused (HTTP 4xx)
     +-- RemoteError           a command could not talk to a running sandbox
"""

from __future__ import annotations

from tvclient.antom.codes import ResultCode

__all__ = ["ApiError", "DataDirError", "OperatorError", "RemoteError", "SandboxError"]


class SandboxError(Exception):
    """Base of every error raised by `tvclient.sandbox`."""


class DataDirError(SandboxError):
    """The data dir cannot be created or read, or holds files the sandbox cannot use."""


class ApiError(SandboxError):
    """An API call ends with an Antom result other than success (usually `F`).

    Raised inside a handler before anything was changed; the API layer answers it as an
    Antom-shaped `result` with HTTP 200.
    """

    def __init__(self, code: ResultCode, message: str | None = None) -> None:
        super().__init__(f"{code.code}: {message or code.meaning}")
        self.code = code
        self.message = message or code.meaning


class OperatorError(SandboxError):
    """An operator or wallet-page request is refused; `status` is the HTTP status to answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class RemoteError(SandboxError):
    """A command could not reach a running sandbox, or the sandbox refused the request."""
