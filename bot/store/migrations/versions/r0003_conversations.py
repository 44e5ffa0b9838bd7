"""Conversations: Rasa's tracker store on the project's database (SQLite by default, PostgreSQL in the
cluster), so a restart or another replica continues every conversation.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("window", sa.Text(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(sender_id) > 0", name=op.f("ck_conversations_sender_not_empty")),
        sa.CheckConstraint("event_count >= 0", name=op.f("ck_conversations_event_count_not_negative")),
        sa.PrimaryKeyConstraint("sender_id", name=op.f("pk_conversations")),
    )
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["sender_id"], ["conversations.sender_id"],
                                name=op.f("fk_conversation_events_sender_id_conversations"), ondelete="CASCADE"),
        sa.CheckConstraint("seq >= 0", name=op.f("ck_conversation_events_seq_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_events")),
        sa.UniqueConstraint("sender_id", "seq", name=op.f("uq_conversation_events_sender_id")),
    )


def downgrade() -> None:
    op.drop_table("conversation_events")
    op.drop_table("conversations")
