"""Initial schema: leaders, activities, channel_identities.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leaders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registratienummer", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("registration_type", sa.String(length=4), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=True),
        sa.Column("registratiedatum", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("length(registratienummer) BETWEEN 6 AND 10", name=op.f("ck_leaders_registratienummer_length")),
        sa.CheckConstraint("registration_type IN ('RDO', 'RADO')", name=op.f("ck_leaders_registration_type")),
        sa.CheckConstraint("level IS NULL OR level IN ('basisbekwaam', 'vakbekwaam')", name=op.f("ck_leaders_level")),
        sa.CheckConstraint("period_end > period_start", name=op.f("ck_leaders_period_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leaders")),
        sa.UniqueConstraint("registratienummer", name=op.f("uq_leaders_registratienummer")),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("programme", sa.String(length=100), nullable=True),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("learning_level", sa.Integer(), nullable=True),
        sa.Column("diploma", sa.String(length=10), nullable=True),
        sa.Column("points_awarded", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=11), nullable=False),
        sa.Column("certificate_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('programme', 'valuation', 'diploma')", name=op.f("ck_activities_kind")),
        sa.CheckConstraint(
            "status IN ('gepland', 'ingediend', 'goedgekeurd', 'afgewezen')", name=op.f("ck_activities_status")
        ),
        sa.CheckConstraint(
            "diploma IS NULL OR diploma IN ('master', 'vakbekwaam')", name=op.f("ck_activities_diploma")
        ),
        sa.CheckConstraint("kind <> 'programme' OR programme IS NOT NULL", name=op.f("ck_activities_programme_named")),
        sa.CheckConstraint("kind <> 'diploma' OR diploma IS NOT NULL", name=op.f("ck_activities_diploma_named")),
        sa.CheckConstraint(
            "learning_level IS NULL OR learning_level BETWEEN 1 AND 9", name=op.f("ck_activities_learning_level")
        ),
        sa.CheckConstraint("points_awarded IS NULL OR points_awarded >= 0", name=op.f("ck_activities_points_awarded")),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["leaders.id"], name=op.f("fk_activities_leader_id_leaders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(op.f("ix_activities_leader_id"), "activities", ["leader_id"], unique=False)
    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("channel IN ('web', 'teams', 'rest')", name=op.f("ck_channel_identities_channel")),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["leaders.id"], name=op.f("fk_channel_identities_leader_id_leaders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_identities")),
        sa.UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external_id"),
    )
    op.create_index(op.f("ix_channel_identities_leader_id"), "channel_identities", ["leader_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_channel_identities_leader_id"), table_name="channel_identities")
    op.drop_table("channel_identities")
    op.drop_index(op.f("ix_activities_leader_id"), table_name="activities")
    op.drop_table("activities")
    op.drop_table("leaders")
