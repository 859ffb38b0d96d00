"""report_versions: who is writing a claimed version (host, process id, since) and when
it was written, so a rerun takes over at once a version whose writer died

Revision ID: 0005_report_version_writer
Revises: 0004_dossier_files
Create Date: 2026-12-06

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005_report_version_writer'
down_revision: str | Sequence[str] | None = '0004_dossier_files'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('writer_host', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('writer_pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('writer_since', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('written_at', sa.DateTime(timezone=True),
                                      nullable=True))
    # versions claimed before this revision were written by the run that claimed them
    op.execute("UPDATE report_versions SET written_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('report_versions', schema=None) as batch_op:
        batch_op.drop_column('written_at')
        batch_op.drop_column('writer_since')
        batch_op.drop_column('writer_pid')
        batch_op.drop_column('writer_host')
