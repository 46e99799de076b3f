"""Next year's plan and 结转: a draft remembers the plan it was copied from; an assignment the one it continues.

Revision ID: 0015_next_year_carry_over
Revises: 0014_targets
Create Date: 2026-11-30 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_next_year_carry_over'
down_revision = '0014_targets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('derived_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_plan_imports_derived_from_id'), ['derived_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_imports_derived_from_id_plans'), 'plans',
                                    ['derived_from_id'], ['id'])

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_carried_from_id'), ['carried_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignments_carried_from_id_assignments'), 'assignments',
                                    ['carried_from_id'], ['id'])


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_carried_from_id_assignments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignments_carried_from_id'))
        batch_op.drop_column('carried_from_id')

    with op.batch_alter_table('plan_imports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_imports_derived_from_id_plans'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_imports_derived_from_id'))
        batch_op.drop_column('derived_from_id')
