"""intake safety: one current submission per agency and period, first sightings,
intake claims, cleared rejections

Revision ID: 0002_intake_safety
Revises: 0001
Create Date: 2026-11-27

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002_intake_safety'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = sa.text("superseded_by IS NULL")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('file_sightings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('relative_path', sa.Text(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime_ns', sa.BigInteger(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_sightings')),
    sa.UniqueConstraint('source', 'relative_path', 'size', 'mtime_ns',
                        name=op.f('uq_file_sightings_source_relative_path_size_mtime_ns'))
    )
    op.create_table('intake_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('relative_path', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('kept_path', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_claims')),
    sa.UniqueConstraint('source', 'relative_path',
                        name=op.f('uq_intake_claims_source_relative_path'))
    )
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True))
    _keep_newest_current()
    op.create_index('uq_submissions_current', 'submissions', ['agency_code', 'period'],
                    unique=True, sqlite_where=_CURRENT, postgresql_where=_CURRENT)
    op.create_index('uq_portal_files_current', 'portal_files', ['period'], unique=True,
                    sqlite_where=_CURRENT, postgresql_where=_CURRENT)


def _keep_newest_current() -> None:
    """Two racing runs could leave two current rows: keep the newest (first-seen time,
    then id) of each agency and period (each period for portal files) current."""
    conn = op.get_bind()
    for table, keys, order in (("submissions", ("agency_code", "period"), "arrived_at"),
                               ("portal_files", ("period",), "collected_at")):
        cols = ", ".join(keys)
        rows = conn.execute(sa.text(
            f"SELECT id, {cols} FROM {table} WHERE superseded_by IS NULL "
            f"ORDER BY {order}, id")).all()
        newest: dict[tuple[object, ...], int] = {}
        for row in rows:
            newest[tuple(row[1:])] = row[0]
        for row in rows:
            keep = newest[tuple(row[1:])]
            if row[0] != keep:
                conn.execute(sa.text(f"UPDATE {table} SET superseded_by = :keep "
                                     f"WHERE id = :id OR superseded_by = :id"),
                             {"keep": keep, "id": row[0]})


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_portal_files_current', table_name='portal_files')
    op.drop_index('uq_submissions_current', table_name='submissions')
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.drop_column('cleared_at')
    op.drop_table('intake_claims')
    op.drop_table('file_sightings')
