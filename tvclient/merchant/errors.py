"""The exception tree of the merchant backend.

Exception tree::

    MerchantError
     +-- ConfigError (ValueError)        configuration that cannot work (names the setting)
     +-- CatalogError (ValueError)       a catalog file that cannot be used (names file/product)
     +-- StoreError                      the database refused or is unreachable
     +-- ApiError                        a request a device or operator sent cannot be served;
     |                                   carries the HTTP status and the stable error code
     +-- AfterSaleError                  an operator's refund/cancel/declare cannot be done
     +-- ReportFormatError (ValueError)  a settlement report file is malformed (file and line)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AfterSaleError",
    "ApiError",
    "CatalogError",
    "ConfigError",
    "MerchantError",
    "ReportFormatError",
    "StoreError",
]


class MerchantError(Exception):
    """Base of every error raised by `tvclient.merchant`."""


class ConfigError(MerchantError, ValueError):
    """A setting is missing or unusable; the message names it and says how to fix it."""


class CatalogError(MerchantError, ValueError):
    """The catalog file cannot be read or breaks a rule (the message names file and product)."""


class StoreError(MerchantError):
    """The database cannot be reached or refused an operation."""


class ApiError(MerchantError):
    """A request that cannot be served, with the device API's error envelope.

    `code` is one of the stable codes of docs/device-api.md; `extra` holds machine-readable
    detail (`field`, `interval`, `retry_after`, `revoked_by`).
    """

    def __init__(
        self, status: int, code: str, *, retryable: bool = False, detail: str = "", **extra: Any
    ) -> None:
        super().__init__(f"{status} {code}" + (f": {detail}" if detail else ""))
        self.status = status
        self.code = code
        self.retryable = retryable
        self.detail = detail
        self.extra: dict[str, Any] = extra


class AfterSaleError(MerchantError):
    """An operator's after-sale action cannot be done (message says why); nothing changed."""

    def __init__(self, message: str, *, code: str = "REFUSED") -> None:
        super().__init__(message)
        self.code = code


class ReportFormatError(MerchantError, ValueError):
    """A report file is malformed; `path` and `line` say where."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem
