"""Offices: the places callers are sent to, their consulting hours per weekday
(spreekuur and juridisch spreekuur apart), closures, and when each field was verified.

Revision ID: 0005
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

from ivr.store.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _office_key():
    return sa.Column("office_id", sa.Integer(), sa.ForeignKey("offices.id", ondelete="CASCADE"), nullable=False)


def upgrade():
    op.create_table(
        "offices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=7), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("say_hours", sa.String(length=16), server_default="never", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("say_hours IN ('verified', 'check', 'never')", name=op.f("ck_offices_say_hours")),
        sa.CheckConstraint("kind IN ('council', 'reception')", name=op.f("ck_offices_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("slug", name=op.f("uq_offices_slug")),
    )
    op.create_table(
        "office_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        _office_key(),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("opens", sa.Time(), nullable=False),
        sa.Column("closes", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_office_hours_weekday")),
        sa.CheckConstraint("kind IN ('spreekuur', 'juridisch')", name=op.f("ck_office_hours_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_hours")),
    )
    op.create_index(op.f("ix_office_hours_office_id"), "office_hours", ["office_id"], unique=False)
    op.create_table(
        "office_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        _office_key(),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_closures")),
    )
    op.create_index(op.f("ix_office_closures_office_id"), "office_closures", ["office_id"], unique=False)
    op.create_table(
        "office_checks",
        _office_key(),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("verified", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "field", name=op.f("pk_office_checks")),
    )


def downgrade():
    op.drop_table("office_checks")
    op.drop_index(op.f("ix_office_closures_office_id"), table_name="office_closures")
    op.drop_table("office_closures")
    op.drop_index(op.f("ix_office_hours_office_id"), table_name="office_hours")
    op.drop_table("office_hours")
    op.drop_table("offices")
