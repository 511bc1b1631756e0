"""The ledger's tables (SQLAlchemy Core). Migrations in `migrations/` create exactly these.

Double charges are made impossible by constraints, not by code paths: one purchase per
(device, Idempotency-Key), one purchase per Antom `paymentRequestId`, one refund per
`refundRequestId`, one binding per bind session.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tvclient.merchant.store.types import UTCDateTime

__all__ = [
    "bind_sessions",
    "bindings",
    "declarations",
    "devices",
    "metadata",
    "purchases",
    "refunds",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("credential_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("platform", String(64), nullable=False),
    Column("app_version", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

bind_sessions = Table(
    "bind_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=False, index=True),
    Column("wallet", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("auth_state", String(64), nullable=False, unique=True),
    Column("qr_text", Text(), nullable=True),
    Column("interval", Integer(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_poll_at", UTCDateTime(), nullable=True),
    Column("auth_code", String(128), nullable=True),
    Column("auth_code_at", UTCDateTime(), nullable=True),
    Column("account", String(64), nullable=True),
    Column("binding_ref", String(32), nullable=True),
    Column("failure_code", String(32), nullable=True),
    Column("failure_message", String(256), nullable=True),
)

bindings = Table(
    "bindings",
    metadata,
    Column("ref", String(32), primary_key=True),
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=False, index=True),
    Column("bind_session_id", String(32), nullable=False, unique=True),
    Column("wallet", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("state", String(16), nullable=False),
    Column("revoked_by", String(16), nullable=True),
    Column("revoke_pending", Boolean(), nullable=False, default=False),
    Column("account", String(64), nullable=True),
    Column("access_token_enc", Text(), nullable=False),
    Column("access_token_digest", String(64), nullable=False, unique=True),
    Column("access_token_expires_at", UTCDateTime(), nullable=True),
    Column("refresh_token_enc", Text(), nullable=True),
    Column("refresh_token_expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

purchases = Table(
    "purchases",
    metadata,
    Column("seq", Integer(), primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("device_id", String(32), ForeignKey("devices.id"), nullable=False),
    Column("binding_ref", String(32), ForeignKey("bindings.ref"), nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("request_fingerprint", String(64), nullable=False),
    Column("product_id", String(64), nullable=False),
    Column("product_title", String(256), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("wallet", String(16), nullable=False),
    Column("account", String(64), nullable=True),
    Column("state", String(24), nullable=False),
    Column("order_ref", String(32), nullable=False, unique=True),
    Column("payment_request_id", String(64), nullable=False, unique=True),
    Column("payment_id", String(64), nullable=True),
    Column("spend_day", String(10), nullable=False),
    Column("spend_year", Integer(), nullable=False),
    Column("pay_attempts", Integer(), nullable=False, default=0),
    Column("pay_expires_at", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("paid_at", UTCDateTime(), nullable=True),
    Column("completed_at", UTCDateTime(), nullable=True),
    Column("failure_code", String(32), nullable=True),
    Column("failure_message", String(256), nullable=True),
    Column("antom_result_code", String(64), nullable=True),
    Column("refunded_minor", BigInteger(), nullable=False, default=0),
    UniqueConstraint("device_id", "idempotency_key"),
    Index("ix_purchases_binding_seq", "binding_ref", "seq"),
    Index("ix_purchases_binding_day", "binding_ref", "spend_day"),
    Index("ix_purchases_state", "state"),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("purchase_id", String(32), ForeignKey("purchases.id"), nullable=False, index=True),
    Column("refund_request_id", String(64), nullable=False, unique=True),
    Column("refund_id", String(64), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("reason", String(256), nullable=True),
    Column("failure_code", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("completed_at", UTCDateTime(), nullable=True),
)

declarations = Table(
    "declarations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("purchase_id", String(32), ForeignKey("purchases.id"), nullable=False, index=True),
    Column("declaration_request_id", String(32), nullable=False, unique=True),
    Column("customs_code", String(32), nullable=False),
    Column("merchant_customs_code", String(64), nullable=False),
    Column("merchant_customs_name", String(256), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger(), nullable=False),
    Column("state", String(24), nullable=False),
    Column("result_code", String(64), nullable=True),
    Column("customs_payment_id", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
