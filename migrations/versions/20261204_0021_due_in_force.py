"""Add assignments.due_in_force (the approved extension, else the task's due date) and a partial index on it over the
open, uncompleted assignments, so that the overdue lists read only the overdue rows; fill it for every assignment.

From now on every ORM flush keeps the column (tasktrack/models/due_in_force.py).

Revision ID: 0021_due_in_force
Revises: 0020_cache_scopes
Create Date: 2026-12-04 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_due_in_force'
down_revision = '0020_cache_scopes'
branch_labels = None
depends_on = None

#: models/plan.py OPEN_UNFINISHED, as it was written here.
OPEN_UNFINISHED = "closed_at IS NULL AND status <> 'completed'"


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_in_force', sa.Date(), nullable=True))
    op.get_bind().execute(sa.text(
        "UPDATE assignments SET due_in_force = COALESCE(extended_due, "
        "(SELECT tasks.due_date FROM tasks WHERE tasks.id = assignments.task_id))"))
    op.create_index('ix_assignments_red', 'assignments', ['due_in_force'], unique=False,
                    postgresql_where=sa.text(OPEN_UNFINISHED), sqlite_where=sa.text(OPEN_UNFINISHED))


def downgrade():
    op.drop_index('ix_assignments_red', table_name='assignments',
                  postgresql_where=sa.text(OPEN_UNFINISHED), sqlite_where=sa.text(OPEN_UNFINISHED))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('due_in_force')
