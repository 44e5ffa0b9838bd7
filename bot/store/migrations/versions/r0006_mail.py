"""The helpdesk's own triage of e-mail (issue 20): tickets from the channel `email` with the reason
`email` and the mail's triage as JSON; unanswered questions remember whether they came from the chat or
an e-mail; `mail_messages` keeps every message the inbox poller took in, so none is processed twice.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_CHANNELS = "channel IN ('web', 'teams', 'rest')"
NEW_CHANNELS = "channel IN ('web', 'teams', 'rest', 'email')"
OLD_REASONS = "reason IN ('fallback', 'buiten_gegevens', 'persoonlijk', 'op_verzoek')"
NEW_REASONS = "reason IN ('fallback', 'buiten_gegevens', 'persoonlijk', 'op_verzoek', 'email')"


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("triage", sa.JSON(none_as_null=True), nullable=True))
        batch.drop_constraint(op.f("ck_tickets_channel"), type_="check")
        batch.drop_constraint(op.f("ck_tickets_reason"), type_="check")
        batch.create_check_constraint("channel", NEW_CHANNELS)
        batch.create_check_constraint("reason", NEW_REASONS)
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="chat"))
        batch.create_check_constraint("source", "source IN ('chat', 'email')")
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("mailbox", sa.String(length=255), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('ticket', 'geen_vraag')", name=op.f("ck_mail_messages_status")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_mail_messages_ticket_id_tickets"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("message_key", name=op.f("uq_mail_messages_message_key")),
    )
    op.create_index("ix_mail_messages_received_at", "mail_messages", ["received_at"], unique=False)
    op.create_index("ix_mail_messages_ticket_id", "mail_messages", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_mail_messages_ticket_id", table_name="mail_messages")
    op.drop_index("ix_mail_messages_received_at", table_name="mail_messages")
    op.drop_table("mail_messages")
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_constraint(op.f("ck_unanswered_questions_source"), type_="check")
        batch.drop_column("source")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint(op.f("ck_tickets_reason"), type_="check")
        batch.drop_constraint(op.f("ck_tickets_channel"), type_="check")
        batch.create_check_constraint("channel", OLD_CHANNELS)
        batch.create_check_constraint("reason", OLD_REASONS)
        batch.drop_column("triage")
