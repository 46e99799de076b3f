"""Fill in the actor's unit of the audit events recorded before 0009 (the unit the actor has now).

Revision ID: 0010_audit_actor_units
Revises: 0009_audit_reader
Create Date: 2026-11-23 09:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_audit_actor_units'
down_revision = '0009_audit_reader'
branch_labels = None
depends_on = None


def upgrade():
    # Events written from now on carry the unit at the time; older ones only have today's answer.
    op.execute(
        "UPDATE audit_events SET actor_unit_id = "
        "(SELECT users.unit_id FROM users WHERE users.id = audit_events.actor_id) "
        "WHERE actor_id IS NOT NULL AND actor_unit_id IS NULL"
    )


def downgrade():
    pass  # 0008's downgrade drops the column
