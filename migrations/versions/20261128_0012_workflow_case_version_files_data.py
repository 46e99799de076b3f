"""Fill case_version_files for existing cases: until now a case's files accumulated, every version carrying
every file uploaded up to it (an upload shares its version's timestamp).

Revision ID: 0012_workflow_case_files_data
Revises: 0011_workflow_case_files
Create Date: 2026-11-28 23:18:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_workflow_case_files_data'
down_revision = '0011_workflow_case_files'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "INSERT INTO case_version_files (version_id, attachment_id) "
        "SELECT v.id, a.id FROM case_versions v JOIN attachments a "
        "ON a.owner_type = 'case_report' AND a.owner_id = v.case_id AND a.uploaded_at <= v.created_at"
    )


def downgrade():
    op.execute("DELETE FROM case_version_files")
