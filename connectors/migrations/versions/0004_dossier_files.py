"""dossier_files: dossier files (ho-so-<YYYY-MM>) taken in, one current per period

Revision ID: 0004_dossier_files
Revises: 0003_deliveries
Create Date: 2026-11-27

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004_dossier_files'
down_revision: str | Sequence[str] | None = '0003_deliveries'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dossier_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('archive_path', sa.Text(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['superseded_by'], ['dossier_files.id'], name=op.f('fk_dossier_files_superseded_by_dossier_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_files')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_dossier_files_content_hash'))
    )
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_files_period'), ['period'], unique=False)
    current = sa.text('superseded_by IS NULL')
    op.create_index('uq_dossier_files_current', 'dossier_files', ['period'], unique=True,
                    sqlite_where=current, postgresql_where=current)


def downgrade() -> None:
    op.drop_index('uq_dossier_files_current', table_name='dossier_files')
    with op.batch_alter_table('dossier_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_files_period'))

    op.drop_table('dossier_files')
