"""Add assignments.latest_report_id (the assignment's newest progress report, by id) and fill it for every
assignment, so that the lists that show many assignments with their latest report join it by key instead of taking
max(id) over every report of every assignment they show.

From now on every ORM insert of a report keeps the column (tasktrack/models/latest_report.py).

Revision ID: 0022_latest_report
Revises: 0021_due_in_force
Create Date: 2026-12-05 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022_latest_report'
down_revision = '0021_due_in_force'
branch_labels = None
depends_on = None

#: tasktrack/models/latest_report.py FILL_SQL and FILL_SQL_POSTGRESQL, as they were written here.
FILL = ("UPDATE assignments SET latest_report_id = "
        "(SELECT max(progress_reports.id) FROM progress_reports WHERE progress_reports.assignment_id = assignments.id)")
FILL_POSTGRESQL = ("UPDATE assignments SET latest_report_id = newest.id FROM "
                   "(SELECT assignment_id, max(id) AS id FROM progress_reports GROUP BY assignment_id) AS newest "
                   "WHERE newest.assignment_id = assignments.id")


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_report_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_latest_report_id_progress_reports'),
                                    'progress_reports', ['latest_report_id'], ['id'], ondelete='SET NULL')
    bind = op.get_bind()
    bind.execute(sa.text(FILL_POSTGRESQL if bind.dialect.name == 'postgresql' else FILL))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_latest_report_id_progress_reports'), type_='foreignkey')
        batch_op.drop_column('latest_report_id')
