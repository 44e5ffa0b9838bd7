"""Privacy (issue 17): tickets remember the pseudonym of the client's address (tickets per address
are limited) and when their personal data was erased; indexes for the retention purge.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("client", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"], unique=False)
    op.create_index("ix_tickets_client", "tickets", ["client"], unique=False)
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"], unique=False)
    op.create_index("ix_unanswered_questions_created_at", "unanswered_questions", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_unanswered_questions_created_at", table_name="unanswered_questions")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_index("ix_tickets_client", table_name="tickets")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("client")
