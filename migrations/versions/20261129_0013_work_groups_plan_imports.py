"""Work groups own units, categories, name aliases and plans; plan imports (drafts) and task milestones.

Everything that exists joins the provincial work group (浙江省清廉社会组织建设工作专班), created here.

Revision ID: 0013_work_groups_plan_imports
Revises: 0012_workflow_case_files_data
Create Date: 2026-11-29 01:42:57.057727

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_work_groups_plan_imports'
down_revision = '0012_workflow_case_files_data'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('work_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('province', 'city', 'county', name='workgrouplevel', native_enum=False, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['work_groups.id'], name=op.f('fk_work_groups_parent_id_work_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_work_groups_name'))
    )
    with op.batch_alter_table('work_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_groups_parent_id'), ['parent_id'], unique=False)

    op.create_table('name_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_group_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(unit_id IS NULL) <> (category_id IS NULL)', name=op.f('ck_name_aliases_unit_xor_category')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_name_aliases_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_name_aliases_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_group_id'], ['work_groups.id'], name=op.f('fk_name_aliases_work_group_id_work_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_name_aliases')),
    sa.UniqueConstraint('work_group_id', 'alias', name=op.f('uq_name_aliases_work_group_id_alias'))
    )
    with op.batch_alter_table('name_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_aliases_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_name_aliases_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_name_aliases_work_group_id'), ['work_group_id'], unique=False)

    op.create_table('plan_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'discarded', name='importstatus', native_enum=False, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=True),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('document_number', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('addressees', sa.String(length=500), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('member_units', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('layout', sa.String(length=20), nullable=False),
    sa.Column('report_period_months', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('source_format', sa.String(length=10), nullable=False),
    sa.Column('source_size', sa.Integer(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('source_key', sa.String(length=300), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_imports_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_imports_plan_id_plans')),
    sa.ForeignKeyConstraint(['work_group_id'], ['work_groups.id'], name=op.f('fk_plan_imports_work_group_id_work_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_imports'))
    )
    with op.batch_alter_table('plan_imports', schema=None) as batch_op:
        batch_op.create_index('ix_plan_imports_group_hash', ['work_group_id', 'source_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_imports_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_imports_work_group_id'), ['work_group_id'], unique=False)

    op.create_table('plan_import_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section_number', sa.Integer(), nullable=False),
    sa.Column('section_title', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('deadline_phrase', sa.String(length=200), nullable=False),
    sa.Column('responsible_phrase', sa.String(length=500), nullable=False),
    sa.Column('sub_items', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['plan_imports.id'], name=op.f('fk_plan_import_rows_import_id_plan_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_import_rows')),
    sa.UniqueConstraint('import_id', 'position', name=op.f('uq_plan_import_rows_import_id_position'))
    )
    with op.batch_alter_table('plan_import_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_import_rows_import_id'), ['import_id'], unique=False)

    op.create_table('task_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_milestones_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_milestones')),
    sa.UniqueConstraint('task_id', 'position', name=op.f('uq_task_milestones_task_id_position'))
    )
    with op.batch_alter_table('task_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_milestones_task_id'), ['task_id'], unique=False)

    work_groups = sa.table('work_groups', sa.column('id', sa.Integer), sa.column('name', sa.String),
                           sa.column('level', sa.String), sa.column('created_at', sa.DateTime(timezone=True)))
    op.bulk_insert(work_groups, [{'id': 1, 'name': '浙江省清廉社会组织建设工作专班', 'level': 'province',
                                  'created_at': dt.datetime.now(dt.UTC)}])
    for table in ('categories', 'plans', 'units'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('work_group_id', sa.Integer(), nullable=True))
        op.execute(f"UPDATE {table} SET work_group_id = 1")
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("SELECT setval('work_groups_id_seq', (SELECT MAX(id) FROM work_groups))")

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.alter_column('work_group_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_categories_code'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_categories_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_categories_work_group_id'), ['work_group_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_categories_work_group_id_code'), ['work_group_id', 'code'])
        batch_op.create_unique_constraint(batch_op.f('uq_categories_work_group_id_name'), ['work_group_id', 'name'])
        batch_op.create_foreign_key(batch_op.f('fk_categories_work_group_id_work_groups'), 'work_groups', ['work_group_id'], ['id'])

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.alter_column('work_group_id', existing_type=sa.Integer(), nullable=False)
        batch_op.add_column(sa.Column('end_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('context', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_plans_year_title'), type_='unique')
        batch_op.create_index(batch_op.f('ix_plans_work_group_id'), ['work_group_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_plans_work_group_id_year_title'), ['work_group_id', 'year', 'title'])
        batch_op.create_foreign_key(batch_op.f('fk_plans_work_group_id_work_groups'), 'work_groups', ['work_group_id'], ['id'])

    with op.batch_alter_table('task_terms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=10), nullable=True))

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.alter_column('work_group_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_units_name'), type_='unique')
        batch_op.create_index(batch_op.f('ix_units_work_group_id'), ['work_group_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_units_work_group_id_name'), ['work_group_id', 'name'])
        batch_op.create_foreign_key(batch_op.f('fk_units_work_group_id_work_groups'), 'work_groups', ['work_group_id'], ['id'])



def downgrade():
    with op.batch_alter_table('task_terms', schema=None) as batch_op:
        batch_op.drop_column('role')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_units_work_group_id_work_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_units_work_group_id_name'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_units_work_group_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_units_name'), ['name'])
        batch_op.drop_column('work_group_id')

    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plans_work_group_id_work_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_plans_work_group_id_year_title'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_plans_work_group_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_plans_year_title'), ['year', 'title'])
        batch_op.drop_column('context')
        batch_op.drop_column('end_year')
        batch_op.drop_column('work_group_id')

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_categories_work_group_id_work_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_categories_work_group_id_name'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_categories_work_group_id_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_categories_work_group_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_categories_name'), ['name'])
        batch_op.create_unique_constraint(batch_op.f('uq_categories_code'), ['code'])
        batch_op.drop_column('work_group_id')

    with op.batch_alter_table('task_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_milestones_task_id'))

    op.drop_table('task_milestones')
    with op.batch_alter_table('plan_import_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_import_rows_import_id'))

    op.drop_table('plan_import_rows')
    with op.batch_alter_table('plan_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_imports_work_group_id'))
        batch_op.drop_index(batch_op.f('ix_plan_imports_plan_id'))
        batch_op.drop_index('ix_plan_imports_group_hash')

    op.drop_table('plan_imports')
    with op.batch_alter_table('name_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_name_aliases_work_group_id'))
        batch_op.drop_index(batch_op.f('ix_name_aliases_unit_id'))
        batch_op.drop_index(batch_op.f('ix_name_aliases_category_id'))

    op.drop_table('name_aliases')
    with op.batch_alter_table('work_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_groups_parent_id'))

    op.drop_table('work_groups')
