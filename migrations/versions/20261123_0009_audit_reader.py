"""Audit trail reader: record the actor's unit on each event, index the action filter.

Revision ID: 0009_audit_reader
Revises: 0008_login_throttle
Create Date: 2026-11-23 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_audit_reader'
down_revision = '0008_login_throttle'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_actor_unit_id_units'), 'units',
                                    ['actor_unit_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_audit_events_actor_unit_id'), ['actor_unit_id'], unique=False)
        batch_op.create_index('ix_audit_events_action_created', ['action', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_action_created')
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_unit_id'))
        batch_op.drop_constraint(batch_op.f('fk_audit_events_actor_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('actor_unit_id')
