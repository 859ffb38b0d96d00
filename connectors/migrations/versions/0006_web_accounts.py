"""web_users and web_audit: the accounts of the web pages (cchc web) and what was done
there (logins, log-outs, uploads, refused requests)

Revision ID: 0006_web_accounts
Revises: 0005_report_version_writer
Create Date: 2026-12-20

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006_web_accounts'
down_revision: str | Sequence[str] | None = '0005_report_version_writer'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'web_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('agency_code', sa.String(length=40), nullable=True),
        sa.Column('password_hash', sa.Text(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_users')),
        sa.UniqueConstraint('email', name=op.f('uq_web_users_email')),
    )
    op.create_table(
        'web_audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('client', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_audit')),
    )
    op.create_index(op.f('ix_web_audit_at'), 'web_audit', ['at'], unique=False)
    op.create_index(op.f('ix_web_audit_email'), 'web_audit', ['email'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_audit_email'), table_name='web_audit')
    op.drop_index(op.f('ix_web_audit_at'), table_name='web_audit')
    op.drop_table('web_audit')
    op.drop_table('web_users')
