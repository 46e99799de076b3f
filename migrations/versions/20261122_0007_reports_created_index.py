"""Index progress reports by (created_at, id): a plan's latest reports without sorting all of them.

Revision ID: 0007_reports_created
Revises: 0006_data_version
Create Date: 2026-11-22 00:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_reports_created'
down_revision = '0006_data_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.create_index('ix_progress_reports_created_id', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('progress_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_reports_created_id')
