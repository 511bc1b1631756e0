"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["UTCDateTime"]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant stored as naive UTC and read back as an aware UTC datetime.

    SQLite has no time zones; storing UTC everywhere keeps ordering and comparison identical
    on both engines.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002 - same on every engine
    ) -> dt.datetime | None:
        """Aware → naive UTC; naive values are refused (they cannot be placed in time)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes cannot be stored")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(
        self,
        value: dt.datetime | None,
        dialect: Dialect,  # noqa: ARG002 - same on every engine
    ) -> dt.datetime | None:
        """Naive UTC → aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)
