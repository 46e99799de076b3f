"""The data migration 0009 gives existing case versions their files as they were shown before: every file
uploaded up to the version (issue 10 item 15), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tasktrack import create_app
from tasktrack.extensions import db
from tasktrack.models import CaseKind, CaseVersion, CaseVersionFile, Plan, Role
from tasktrack.services import cases, seeding, units, users
from tasktrack.services.attachments import Upload
from tests.conftest import make_config
from tests.test_migrations import MIGRATIONS, empty_database_url  # noqa: F401  (the fixture)
from tests.upload_samples import make_pdf


def test_existing_versions_get_the_files_uploaded_up_to_them(empty_database_url: str, tmp_path: Path,  # noqa: F811
                                                             now) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_config(empty_database_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        seeding.seed_base(now=now)
        author = users.create_user(actor=None, email="mzt@example.org", name="联络员", role=Role.LIAISON,
                                   unit=units.find_unit("省民政厅"), password="correct-horse-battery", now=now,
                                   fast_hash=True)
        office = users.create_user(actor=None, email="office@example.org", name="专班", role=Role.SECRETARIAT,
                                   unit=None, password="correct-horse-battery", now=now, fast_hash=True)
        later = now.replace(hour=now.hour + 1)
        case = cases.submit_case(db.session.scalar(sa.select(Plan)), units.find_unit("省民政厅"), cases.CaseText(
            kind=CaseKind.POSITIVE, title="t", summary="s", body="b"), actor=author,
            files=[Upload("一.pdf", make_pdf())], now=now)
        cases.review_case(case, actor=office, action="return", comment="补充", now=now)
        cases.revise_case(case, cases.CaseText(kind=CaseKind.POSITIVE, title="t", summary="s", body="b2"),
                          actor=author, files=[Upload("二.pdf", make_pdf())], now=later)
        db.session.commit()

        def links() -> set[tuple[int, str]]:
            return set(db.session.execute(
                sa.select(CaseVersion.number, sa.text("attachments.original_name"))
                .join(CaseVersionFile, CaseVersionFile.version_id == CaseVersion.id)
                .join(sa.table("attachments", sa.column("id"), sa.column("original_name")),
                      sa.text("attachments.id = case_version_files.attachment_id"))).tuples())

        made = links()
        assert made == {(1, "一.pdf"), (2, "一.pdf"), (2, "二.pdf")}
        db.session.commit()
        downgrade(directory=MIGRATIONS, revision="0011_workflow_case_files")  # as before the data migration
        assert links() == set()
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        assert links() == made
        db.session.remove()
        db.engine.dispose()
