"""par_assessment: the CCHC index's self-assessment and appraisal files and their lines

Revision ID: 0007_par_assessment
Revises: 0006_web_accounts
Create Date: 2026-12-06

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007_par_assessment'
down_revision: str | Sequence[str] | None = '0006_web_accounts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = sa.text('superseded_by IS NULL')


def _file_columns(table: str) -> list[sa.Column[object]]:
    """The columns every accepted-file table has (as ``submissions``)."""
    return [
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.Text(), nullable=False),
        sa.Column('origin_path', sa.Text(), nullable=False),
        sa.Column('archive_path', sa.Text(), nullable=False),
        sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('superseded_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['superseded_by'], [f'{table}.id'],
                                name=op.f(f'fk_{table}_superseded_by_{table}')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('content_hash', name=op.f(f'uq_{table}_content_hash')),
    ]


def upgrade() -> None:
    op.create_table('par_self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    *_file_columns('par_self_assessments'),
    )
    with op.batch_alter_table('par_self_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_par_self_assessments_unit_code'), ['unit_code'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_par_self_assessments_year'), ['year'],
                              unique=False)
    op.create_index('uq_par_self_assessments_current', 'par_self_assessments',
                    ['unit_code', 'year'], unique=True, sqlite_where=_CURRENT,
                    postgresql_where=_CURRENT)

    op.create_table('par_self_assessed_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['par_self_assessments.id'],
                            name=op.f('fk_par_self_assessed_lines_assessment_id_par_self_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_par_self_assessed_lines'))
    )
    with op.batch_alter_table('par_self_assessed_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_par_self_assessed_lines_assessment_id'),
                              ['assessment_id'], unique=False)

    op.create_table('par_appraisals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    *_file_columns('par_appraisals'),
    )
    with op.batch_alter_table('par_appraisals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_par_appraisals_year'), ['year'], unique=False)
    op.create_index('uq_par_appraisals_current', 'par_appraisals', ['year'], unique=True,
                    sqlite_where=_CURRENT, postgresql_where=_CURRENT)

    op.create_table('par_appraised_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appraisal_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('criterion_id', sa.String(length=40), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appraisal_id'], ['par_appraisals.id'],
                            name=op.f('fk_par_appraised_lines_appraisal_id_par_appraisals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_par_appraised_lines'))
    )
    with op.batch_alter_table('par_appraised_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_par_appraised_lines_appraisal_id'),
                              ['appraisal_id'], unique=False)


def downgrade() -> None:
    for table, index in (('par_appraised_lines', 'appraisal_id'),
                         ('par_self_assessed_lines', 'assessment_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{index}'))
        op.drop_table(table)
    op.drop_index('uq_par_appraisals_current', table_name='par_appraisals')
    with op.batch_alter_table('par_appraisals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_par_appraisals_year'))
    op.drop_table('par_appraisals')
    op.drop_index('uq_par_self_assessments_current', table_name='par_self_assessments')
    with op.batch_alter_table('par_self_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_par_self_assessments_year'))
        batch_op.drop_index(batch_op.f('ix_par_self_assessments_unit_code'))
    op.drop_table('par_self_assessments')
