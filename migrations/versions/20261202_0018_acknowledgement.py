"""签收: an assignment records when (and by whom) its unit acknowledged it, and the unit's handler (承办人, phone).

Existing assignments predate 签收: they are marked acknowledged at their created_at, by nobody (acknowledged_by_id
NULL), so that no unit is chased for an assignment it has long been working on. Every assignment created from now on
starts 待签收 (acknowledged_at NULL).

Revision ID: 0018_acknowledgement
Revises: 0017_matters_meetings
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_acknowledgement'
down_revision = '0017_matters_meetings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handler_name', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('handler_phone', sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f('ix_assignments_acknowledged_by_id'), ['acknowledged_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assignments_acknowledged_by_id_users'), 'users',
                                    ['acknowledged_by_id'], ['id'])
    op.get_bind().execute(sa.text("UPDATE assignments SET acknowledged_at = created_at"))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_acknowledged_by_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assignments_acknowledged_by_id'))
        batch_op.drop_column('handler_phone')
        batch_op.drop_column('handler_name')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
