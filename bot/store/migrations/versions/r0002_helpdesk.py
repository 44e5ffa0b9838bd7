"""The helpdesk: tickets, their delivery outbox (webhook, e-mail) and unanswered questions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('uid', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('expected_by', sa.Date(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('registratienummer', sa.String(length=10), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('intent', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('transcript', sa.JSON(), nullable=True),
    sa.CheckConstraint("category IN ('registratie', 'herregistratie en punten', 'certificaat of waardering', 'account en inloggen', 'uitstel of bezwaar', 'kosten', 'overig')", name=op.f('ck_tickets_category')),
    sa.CheckConstraint("channel IN ('web', 'teams', 'rest')", name=op.f('ck_tickets_channel')),
    sa.CheckConstraint("priority IN ('hoog', 'normaal')", name=op.f('ck_tickets_priority')),
    sa.CheckConstraint("reason IN ('fallback', 'buiten_gegevens', 'persoonlijk', 'op_verzoek')", name=op.f('ck_tickets_reason')),
    sa.CheckConstraint('consent OR transcript IS NULL', name=op.f('ck_tickets_transcript_needs_consent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    sa.UniqueConstraint('uid', name=op.f('uq_tickets_uid'))
    )
    op.create_table('unanswered_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('intent', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(text) > 0', name=op.f('ck_unanswered_questions_text_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unanswered_questions'))
    )
    op.create_index("ix_unanswered_questions_text_hash", "unanswered_questions", ["text_hash"], unique=False)
    op.create_table('ticket_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('webhook', 'email')", name=op.f('ck_ticket_outbox_kind')),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name=op.f('ck_ticket_outbox_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_ticket_outbox_attempts')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_outbox_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ticket_outbox_idempotency_key'))
    )
    op.create_index("ix_ticket_outbox_status_next_attempt_at", "ticket_outbox", ["status", "next_attempt_at"],
                    unique=False)
    op.create_index(op.f("ix_ticket_outbox_ticket_id"), "ticket_outbox", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_outbox_ticket_id"), table_name="ticket_outbox")
    op.drop_index("ix_ticket_outbox_status_next_attempt_at", table_name="ticket_outbox")
    op.drop_table("ticket_outbox")
    op.drop_index("ix_unanswered_questions_text_hash", table_name="unanswered_questions")
    op.drop_table('unanswered_questions')
    op.drop_table('tickets')
