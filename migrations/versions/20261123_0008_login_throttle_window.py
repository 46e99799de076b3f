"""Login throttling (login): an address's counting window, and an index to forget quiet counters.

Revision ID: 0008_login_throttle
Revises: 0007_reports_created
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_login_throttle'
down_revision = '0007_reports_created'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))
        batch_op.drop_column('window_started_at')
