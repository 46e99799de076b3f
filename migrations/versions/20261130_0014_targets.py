"""Targets (指标): a plan's or task's quantitative targets, the values units report against them, and the targets
offered on a plan import's review page.

Revision ID: 0014_targets
Revises: 0013_work_groups_plan_imports
Create Date: 2026-11-30 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_targets'
down_revision = '0013_work_groups_plan_imports'
branch_labels = None
depends_on = None

_COMPARATOR = sa.Enum('≥', '≤', '=', '>', '<', name='comparator', native_enum=False, length=8)


def _target_columns():
    return [
        sa.Column('what', sa.String(length=200), nullable=False),
        sa.Column('comparator', _COMPARATOR, nullable=False),
        sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column('unit', sa.String(length=20), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('phrase', sa.String(length=500), nullable=False),
    ]


def upgrade():
    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    *_target_columns(),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_targets_plan_id_plans')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_plan_targets_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('plan_id', 'position', name=op.f('uq_plan_targets_plan_id_position'))
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_targets_task_id'), ['task_id'], unique=False)

    op.create_table('target_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('progress_report_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_target_values_author_id_users')),
    sa.ForeignKeyConstraint(['progress_report_id'], ['progress_reports.id'],
                            name=op.f('fk_target_values_progress_report_id_progress_reports')),
    sa.ForeignKeyConstraint(['target_id'], ['plan_targets.id'], name=op.f('fk_target_values_target_id_plan_targets')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_target_values_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_values'))
    )
    with op.batch_alter_table('target_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_values_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_values_progress_report_id'), ['progress_report_id'], unique=False)
        batch_op.create_index('ix_target_values_target_unit', ['target_id', 'unit_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_values_unit_id'), ['unit_id'], unique=False)

    op.create_table('plan_import_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('is_kept', sa.Boolean(), nullable=False),
    *_target_columns(),
    sa.ForeignKeyConstraint(['import_id'], ['plan_imports.id'], name=op.f('fk_plan_import_targets_import_id_plan_imports'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['row_id'], ['plan_import_rows.id'], name=op.f('fk_plan_import_targets_row_id_plan_import_rows'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_import_targets')),
    sa.UniqueConstraint('import_id', 'position', name=op.f('uq_plan_import_targets_import_id_position'))
    )
    with op.batch_alter_table('plan_import_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_import_targets_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_import_targets_row_id'), ['row_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_import_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_import_targets_row_id'))
        batch_op.drop_index(batch_op.f('ix_plan_import_targets_import_id'))
    op.drop_table('plan_import_targets')

    with op.batch_alter_table('target_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_values_unit_id'))
        batch_op.drop_index('ix_target_values_target_unit')
        batch_op.drop_index(batch_op.f('ix_target_values_progress_report_id'))
        batch_op.drop_index(batch_op.f('ix_target_values_author_id'))
    op.drop_table('target_values')

    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_task_id'))
        batch_op.drop_index(batch_op.f('ix_plan_targets_plan_id'))
    op.drop_table('plan_targets')
