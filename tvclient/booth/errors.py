"""The booth's errors: one small tree, with messages written for the operator who reads them."""

from __future__ import annotations

__all__ = ["BoothConfigError", "BoothError"]


class BoothError(Exception):
    """Something kept the booth from running; the message says what and how to fix it."""


class BoothConfigError(BoothError):
    """The command line or the booth's files ask for something the booth will not do."""
