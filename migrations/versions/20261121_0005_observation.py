"""Add focus choices (versioned), reopenings, pilot logs, case reports with versions and reviews, and plans.case_task_number.

Revision ID: 0005_observation
Revises: 0003_dashboard
Create Date: 2026-11-21 22:02:25.398431

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_observation'
down_revision = '0003_dashboard'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('focus_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_focus_choices_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_focus_choices_plan_id_plans')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_focus_choices_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_choices')),
    sa.UniqueConstraint('plan_id', 'unit_id', 'version', name=op.f('uq_focus_choices_plan_id_unit_id_version'))
    )
    with op.batch_alter_table('focus_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_choices_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_focus_choices_current', ['plan_id', 'is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_choices_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_choices_unit_id'), ['unit_id'], unique=False)

    op.create_table('focus_reopens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_focus_reopens_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_focus_reopens_plan_id_plans')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_focus_reopens_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_reopens'))
    )
    with op.batch_alter_table('focus_reopens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_reopens_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_reopens_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_reopens_unit_id'), ['unit_id'], unique=False)

    op.create_table('pilot_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('focus_item_id', sa.Integer(), nullable=False),
    sa.Column('log_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_pilot_logs_author_id_users')),
    sa.ForeignKeyConstraint(['focus_item_id'], ['focus_items.id'], name=op.f('fk_pilot_logs_focus_item_id_focus_items')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_pilot_logs_plan_id_plans')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_pilot_logs_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot_logs'))
    )
    with op.batch_alter_table('pilot_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_logs_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_logs_focus_item_id'), ['focus_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_logs_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_pilot_logs_unit_item', ['plan_id', 'unit_id', 'focus_item_id'], unique=False)

    op.create_table('case_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('positive', 'negative', 'practice', name='casekind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('focus_item_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'returned', 'accepted', 'featured', name='casestatus', native_enum=False, length=32), nullable=False),
    sa.Column('feature_order', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'featured') = (feature_order IS NOT NULL)", name=op.f('ck_case_reports_featured_has_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['focus_item_id'], ['focus_items.id'], name=op.f('fk_case_reports_focus_item_id_focus_items')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_case_reports_plan_id_plans')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_case_reports_task_id_tasks')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_case_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reports'))
    )
    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reports_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reports_focus_item_id'), ['focus_item_id'], unique=False)
        batch_op.create_index('ix_case_reports_plan_status', ['plan_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reports_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reports_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reports_year'), ['year'], unique=False)

    op.create_table('focus_choice_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=False),
    sa.Column('focus_item_id', sa.Integer(), nullable=False),
    sa.Column('plan_text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['choice_id'], ['focus_choices.id'], name=op.f('fk_focus_choice_items_choice_id_focus_choices')),
    sa.ForeignKeyConstraint(['focus_item_id'], ['focus_items.id'], name=op.f('fk_focus_choice_items_focus_item_id_focus_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_focus_choice_items')),
    sa.UniqueConstraint('choice_id', 'focus_item_id', name=op.f('uq_focus_choice_items_choice_id_focus_item_id'))
    )
    with op.batch_alter_table('focus_choice_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_focus_choice_items_choice_id'), ['choice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_focus_choice_items_focus_item_id'), ['focus_item_id'], unique=False)

    op.create_table('case_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_reviews_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['case_reports.id'], name=op.f('fk_case_reviews_case_id_case_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews'))
    )
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reviews_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reviews_case_id'), ['case_id'], unique=False)

    op.create_table('case_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('positive', 'negative', 'practice', name='casekind', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('focus_item_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_versions_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['case_reports.id'], name=op.f('fk_case_versions_case_id_case_reports')),
    sa.ForeignKeyConstraint(['focus_item_id'], ['focus_items.id'], name=op.f('fk_case_versions_focus_item_id_focus_items')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_case_versions_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_versions')),
    sa.UniqueConstraint('case_id', 'number', name=op.f('uq_case_versions_case_id_number'))
    )
    with op.batch_alter_table('case_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_versions_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_versions_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_task_number', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('case_task_number')

    with op.batch_alter_table('case_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_versions_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_versions_author_id'))

    op.drop_table('case_versions')
    with op.batch_alter_table('case_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reviews_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_reviews_actor_id'))

    op.drop_table('case_reviews')
    with op.batch_alter_table('focus_choice_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_choice_items_focus_item_id'))
        batch_op.drop_index(batch_op.f('ix_focus_choice_items_choice_id'))

    op.drop_table('focus_choice_items')
    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reports_year'))
        batch_op.drop_index(batch_op.f('ix_case_reports_unit_id'))
        batch_op.drop_index(batch_op.f('ix_case_reports_task_id'))
        batch_op.drop_index('ix_case_reports_plan_status')
        batch_op.drop_index(batch_op.f('ix_case_reports_focus_item_id'))
        batch_op.drop_index(batch_op.f('ix_case_reports_created_by_id'))

    op.drop_table('case_reports')
    with op.batch_alter_table('pilot_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_pilot_logs_unit_item')
        batch_op.drop_index(batch_op.f('ix_pilot_logs_unit_id'))
        batch_op.drop_index(batch_op.f('ix_pilot_logs_focus_item_id'))
        batch_op.drop_index(batch_op.f('ix_pilot_logs_author_id'))

    op.drop_table('pilot_logs')
    with op.batch_alter_table('focus_reopens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_reopens_unit_id'))
        batch_op.drop_index(batch_op.f('ix_focus_reopens_plan_id'))
        batch_op.drop_index(batch_op.f('ix_focus_reopens_created_by_id'))

    op.drop_table('focus_reopens')
    with op.batch_alter_table('focus_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_focus_choices_unit_id'))
        batch_op.drop_index(batch_op.f('ix_focus_choices_plan_id'))
        batch_op.drop_index('ix_focus_choices_current')
        batch_op.drop_index(batch_op.f('ix_focus_choices_created_by_id'))

    op.drop_table('focus_choices')
