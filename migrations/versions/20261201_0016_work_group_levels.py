"""Work groups at three levels: users belong to a work group, a unit may stand for a lower work group, a lower
group's tasks link to the higher task they carry out, and a work group may have its own reminder windows.

Every existing user joins their unit's work group, or (secretariat, viewer) the provincial one.

Revision ID: 0016_work_group_levels
Revises: 0015_next_year_carry_over
Create Date: 2026-12-01 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016_work_group_levels'
down_revision = '0015_next_year_carry_over'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('work_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_due_soon_days', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reminder_overdue_repeat_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_supervision_after_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reminder_period_grace_days', sa.Integer(), nullable=True))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('represents_work_group_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_units_represents_work_group_id'),
                                          ['represents_work_group_id'])
        batch_op.create_foreign_key(batch_op.f('fk_units_represents_work_group_id_work_groups'), 'work_groups',
                                    ['represents_work_group_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_group_id', sa.Integer(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE users SET work_group_id = (SELECT units.work_group_id FROM units WHERE units.id = users.unit_id) "
        "WHERE unit_id IS NOT NULL"))
    conn.execute(sa.text(
        "UPDATE users SET work_group_id = (SELECT min(id) FROM work_groups WHERE parent_id IS NULL) "
        "WHERE work_group_id IS NULL"))
    if conn.execute(sa.text("SELECT count(*) FROM users WHERE work_group_id IS NULL")).scalar():
        # Users but no work group at all (a database that never ran seed): create the provincial one for them.
        conn.execute(sa.text(
            "INSERT INTO work_groups (name, level, created_at) "
            "VALUES ('浙江省清廉社会组织建设工作专班', 'province', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text(
            "UPDATE users SET work_group_id = (SELECT min(id) FROM work_groups WHERE parent_id IS NULL) "
            "WHERE work_group_id IS NULL"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('work_group_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_users_work_group_id'), ['work_group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_work_group_id_work_groups'), 'work_groups',
                                    ['work_group_id'], ['id'])

    op.create_table(
        'task_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parent_assignment_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_task_links_created_by_id_users')),
        sa.ForeignKeyConstraint(['parent_assignment_id'], ['assignments.id'],
                                name=op.f('fk_task_links_parent_assignment_id_assignments')),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_links_task_id_tasks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_links')),
        sa.UniqueConstraint('parent_assignment_id', 'task_id',
                            name=op.f('uq_task_links_parent_assignment_id_task_id')),
    )
    with op.batch_alter_table('task_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_links_parent_assignment_id'), ['parent_assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_links_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('task_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_links_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_links_parent_assignment_id'))
    op.drop_table('task_links')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_work_group_id_work_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_work_group_id'))
        batch_op.drop_column('work_group_id')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_represents_work_group_id_work_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_units_represents_work_group_id'), type_='unique')
        batch_op.drop_column('represents_work_group_id')

    with op.batch_alter_table('work_groups', schema=None) as batch_op:
        batch_op.drop_column('reminder_period_grace_days')
        batch_op.drop_column('reminder_supervision_after_days')
        batch_op.drop_column('reminder_overdue_repeat_days')
        batch_op.drop_column('reminder_due_soon_days')
