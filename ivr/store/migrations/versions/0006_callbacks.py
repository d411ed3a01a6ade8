"""Call-back requests and their attempts (ivr.callbacks).

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

from ivr.store.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "callback_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("caller_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_number", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=16), nullable=True),
        sa.Column("topic", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("call_sid", sa.String(length=40), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("status IN ('open', 'claimed', 'calling', 'done', 'no_answer', 'cancelled')",
                           name=op.f("ck_callback_request_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_request")),
    )
    op.create_index(op.f("ix_callback_request_created_at"), "callback_request", ["created_at"])
    op.create_index(op.f("ix_callback_request_caller_hash"), "callback_request", ["caller_hash"])
    op.create_index(op.f("ix_callback_request_status"), "callback_request", ["status"])
    op.create_index(op.f("ix_callback_request_next_attempt_at"), "callback_request", ["next_attempt_at"])
    op.create_index("uq_callback_request_open_caller", "callback_request", ["caller_hash"], unique=True,
                    sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL"))
    op.create_table(
        "callback_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("call_sid", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["callback_request.id"], ondelete="CASCADE",
                                name=op.f("fk_callback_attempt_request_id_callback_request")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempt")),
    )
    op.create_index(op.f("ix_callback_attempt_request_id"), "callback_attempt", ["request_id"])


def downgrade():
    op.drop_table("callback_attempt")
    op.drop_table("callback_request")
