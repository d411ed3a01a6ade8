"""Monthly call statistics: unique callers per month (counts only).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monthly_stat",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "name", name=op.f("pk_monthly_stat")),
    )


def downgrade():
    op.drop_table("monthly_stat")
