"""The initial ledger: devices, bind sessions, bindings, purchases, refunds, declarations.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 15:25:47.483357
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tvclient.merchant.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_devices_credential_hash")),
    )
    op.create_table(
        "bind_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("wallet", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("auth_state", sa.String(length=64), nullable=False),
        sa.Column("qr_text", sa.Text(), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_poll_at", UTCDateTime(), nullable=True),
        sa.Column("auth_code", sa.String(length=128), nullable=True),
        sa.Column("auth_code_at", UTCDateTime(), nullable=True),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("binding_ref", sa.String(length=32), nullable=True),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("failure_message", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_bind_sessions_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bind_sessions")),
        sa.UniqueConstraint("auth_state", name=op.f("uq_bind_sessions_auth_state")),
    )
    with op.batch_alter_table("bind_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bind_sessions_device_id"), ["device_id"], unique=False)

    op.create_table(
        "bindings",
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("bind_session_id", sa.String(length=32), nullable=False),
        sa.Column("wallet", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("revoked_by", sa.String(length=16), nullable=True),
        sa.Column("revoke_pending", sa.Boolean(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("access_token_enc", sa.Text(), nullable=False),
        sa.Column("access_token_digest", sa.String(length=64), nullable=False),
        sa.Column("access_token_expires_at", UTCDateTime(), nullable=True),
        sa.Column("refresh_token_enc", sa.Text(), nullable=True),
        sa.Column("refresh_token_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_bindings_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_bindings")),
        sa.UniqueConstraint("access_token_digest", name=op.f("uq_bindings_access_token_digest")),
        sa.UniqueConstraint("bind_session_id", name=op.f("uq_bindings_bind_session_id")),
    )
    with op.batch_alter_table("bindings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bindings_device_id"), ["device_id"], unique=False)

    op.create_table(
        "purchases",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("binding_ref", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("product_title", sa.String(length=256), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("wallet", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("order_ref", sa.String(length=32), nullable=False),
        sa.Column("payment_request_id", sa.String(length=64), nullable=False),
        sa.Column("payment_id", sa.String(length=64), nullable=True),
        sa.Column("spend_day", sa.String(length=10), nullable=False),
        sa.Column("spend_year", sa.Integer(), nullable=False),
        sa.Column("pay_attempts", sa.Integer(), nullable=False),
        sa.Column("pay_expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("paid_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("failure_message", sa.String(length=256), nullable=True),
        sa.Column("antom_result_code", sa.String(length=64), nullable=True),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["binding_ref"], ["bindings.ref"], name=op.f("fk_purchases_binding_ref_bindings")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_purchases_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_purchases")),
        sa.UniqueConstraint(
            "device_id", "idempotency_key", name=op.f("uq_purchases_device_id_idempotency_key")
        ),
        sa.UniqueConstraint("id", name=op.f("uq_purchases_id")),
        sa.UniqueConstraint("order_ref", name=op.f("uq_purchases_order_ref")),
        sa.UniqueConstraint("payment_request_id", name=op.f("uq_purchases_payment_request_id")),
    )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchases_binding_day", ["binding_ref", "spend_day"], unique=False
        )
        batch_op.create_index("ix_purchases_binding_seq", ["binding_ref", "seq"], unique=False)
        batch_op.create_index("ix_purchases_state", ["state"], unique=False)

    op.create_table(
        "declarations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purchase_id", sa.String(length=32), nullable=False),
        sa.Column("declaration_request_id", sa.String(length=32), nullable=False),
        sa.Column("customs_code", sa.String(length=32), nullable=False),
        sa.Column("merchant_customs_code", sa.String(length=64), nullable=False),
        sa.Column("merchant_customs_name", sa.String(length=256), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("result_code", sa.String(length=64), nullable=True),
        sa.Column("customs_payment_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_declarations_purchase_id_purchases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint(
            "declaration_request_id", name=op.f("uq_declarations_declaration_request_id")
        ),
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declarations_purchase_id"), ["purchase_id"], unique=False
        )

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purchase_id", sa.String(length=32), nullable=False),
        sa.Column("refund_request_id", sa.String(length=64), nullable=False),
        sa.Column("refund_id", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_refunds_purchase_id_purchases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("refund_request_id", name=op.f("uq_refunds_refund_request_id")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_purchase_id"), ["purchase_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_purchase_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_purchase_id"))

    op.drop_table("declarations")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_index("ix_purchases_state")
        batch_op.drop_index("ix_purchases_binding_seq")
        batch_op.drop_index("ix_purchases_binding_day")

    op.drop_table("purchases")
    with op.batch_alter_table("bindings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bindings_device_id"))

    op.drop_table("bindings")
    with op.batch_alter_table("bind_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bind_sessions_device_id"))

    op.drop_table("bind_sessions")
    op.drop_table("devices")
