"""Add data_version_scopes: the versions of a plan's, a unit's and a work group's data, which a progress report bumps
instead of the global data version (the render cache then keeps every page the report cannot change).

Revision ID: 0020_cache_scopes
Revises: 0019_channels
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_cache_scopes'
down_revision = '0019_channels'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_version_scopes',
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_version_scopes'))
    )


def downgrade():
    op.drop_table('data_version_scopes')
