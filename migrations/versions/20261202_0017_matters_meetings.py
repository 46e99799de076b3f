"""交办事项 and 联络员会议: a plan kind for each work group's yearly matters container, the matters table (what a
plan task lacks: source, reference, meeting), meetings and the units invited to and present at them.

Revision ID: 0017_matters_meetings
Revises: 0016_work_group_levels
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_matters_meetings'
down_revision = '0016_work_group_levels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('plan', 'matters', name='plankind', native_enum=False,
                                                      length=16, create_constraint=False),
                                      server_default='plan', nullable=False))

    op.create_table(
        'meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('work_group_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('agenda', sa.Text(), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
        sa.ForeignKeyConstraint(['work_group_id'], ['work_groups.id'],
                                name=op.f('fk_meetings_work_group_id_work_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_work_group_id'), ['work_group_id'], unique=False)

    op.create_table(
        'meeting_units',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('is_invited', sa.Boolean(), nullable=False),
        sa.Column('is_present', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_units_meeting_id_meetings')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_units_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_units')),
        sa.UniqueConstraint('meeting_id', 'unit_id', name=op.f('uq_meeting_units_meeting_id_unit_id')),
    )
    with op.batch_alter_table('meeting_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_units_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_units_unit_id'), ['unit_id'], unique=False)

    op.create_table(
        'matters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('work_group_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.Enum('meeting', 'instruction', 'higher', 'other', name='mattersource',
                                    native_enum=False, length=16, create_constraint=False), nullable=False),
        sa.Column('reference', sa.String(length=500), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_matters_created_by_id_users')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_matters_meeting_id_meetings')),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_matters_task_id_tasks')),
        sa.ForeignKeyConstraint(['work_group_id'], ['work_groups.id'],
                                name=op.f('fk_matters_work_group_id_work_groups')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matters')),
        sa.UniqueConstraint('task_id', name=op.f('uq_matters_task_id')),
    )
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matters_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matters_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matters_work_group_id'), ['work_group_id'], unique=False)


def downgrade():
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matters_work_group_id'))
        batch_op.drop_index(batch_op.f('ix_matters_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_matters_created_by_id'))
    op.drop_table('matters')
    with op.batch_alter_table('meeting_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_units_meeting_id'))
    op.drop_table('meeting_units')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_work_group_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_created_by_id'))
    op.drop_table('meetings')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('kind')
