"""Add case_version_files: the files each case version carries, so readers see the accepted version's only.

Revision ID: 0011_workflow_case_files
Revises: 0010_audit_actor_units
Create Date: 2026-11-28 23:17:12

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_workflow_case_files'
down_revision = '0010_audit_actor_units'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_version_files',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_case_version_files_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['version_id'], ['case_versions.id'], name=op.f('fk_case_version_files_version_id_case_versions')),
    sa.PrimaryKeyConstraint('version_id', 'attachment_id', name=op.f('pk_case_version_files'))
    )
    with op.batch_alter_table('case_version_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_version_files_attachment_id'), ['attachment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_version_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_version_files_attachment_id'))

    op.drop_table('case_version_files')
