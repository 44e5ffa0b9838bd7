"""Teams accounts linked to leaders and reminders before the deadline (issue 18): link attempts with
a hashed one-time code and the events the helpdesk can read back (never the code); reminder opt-ins,
Teams conversation references, and the reminders' durable outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CHANNELS = "channel IN ('web', 'teams', 'rest')"


def upgrade() -> None:
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("registratienummer", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("salt", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('nummer', 'code', 'gekoppeld', 'afgebroken', 'verlopen', 'geblokkeerd')",
                           name=op.f("ck_link_attempts_state")),
        sa.CheckConstraint(CHANNELS, name=op.f("ck_link_attempts_channel")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_link_attempts_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index("ix_link_attempts_channel_external_id", "link_attempts", ["channel", "external_id"])
    op.create_index("ix_link_attempts_registratienummer", "link_attempts", ["registratienummer"])
    op.create_table(
        "link_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("registratienummer", sa.String(length=10), nullable=True),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.CheckConstraint("event IN ('gestart', 'code_verstuurd', 'code_fout', 'geblokkeerd', 'gekoppeld', "
                           "'ontkoppeld', 'afgebroken')", name=op.f("ck_link_events_event")),
        sa.CheckConstraint(CHANNELS, name=op.f("ck_link_events_channel")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_events")),
    )
    op.create_index("ix_link_events_at", "link_events", ["at"])
    op.create_index("ix_link_events_registratienummer", "link_events", ["registratienummer"])
    op.create_table(
        "reminder_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('teams', 'email')", name=op.f("ck_reminder_settings_channel")),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_reminder_settings_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_settings")),
        sa.UniqueConstraint("leader_id", "channel", name="uq_reminder_settings_leader_id_channel"),
    )
    op.create_table(
        "teams_references",
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("service_url", sa.String(length=2048), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(service_url) > 0", name=op.f("ck_teams_references_service_url_not_empty")),
        sa.PrimaryKeyConstraint("external_id", name=op.f("pk_teams_references")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("channel IN ('teams', 'email')", name=op.f("ck_reminders_channel")),
        sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f("ck_reminders_status")),
        sa.ForeignKeyConstraint(["leader_id"], ["leaders.id"], name=op.f("fk_reminders_leader_id_leaders"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("leader_id", "bucket", name="uq_reminders_leader_id_bucket"),
    )
    op.create_index("ix_reminders_status_next_attempt_at", "reminders", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("reminders")
    op.drop_table("teams_references")
    op.drop_table("reminder_settings")
    op.drop_table("link_events")
    op.drop_table("link_attempts")
