"""Staff recordings: the telephone audio of one prompt in one language, kept in the
database so a wiped disk loses nothing; earlier recordings stay for undo.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from ivr.store.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("audio", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("made_by", sa.String(length=64), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("current", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
    )
    op.create_index(op.f("ix_recordings_item_id"), "recordings", ["item_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_recordings_item_id"), table_name="recordings")
    op.drop_table("recordings")
