"""The plan-import benchmark (bench/plan_import.py): its generated plan reads the same from Word and from text, and
the harness runs end to end on a small plan (the `make bench` section, shortened)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import plan_import
from tasktrack.extensions import db
from tasktrack.services import plan_imports

FIELDS = ("section_number", "section_title", "number", "text", "deadline_phrase", "responsible_phrase")


def test_the_generated_plan_reads_the_same_from_docx_and_txt(seeded: None, make_user: Any, now: Any) -> None:
    office = make_user("secretariat")
    document = plan_import.plan_document(60)
    drafts = [plan_imports.start(plan_imports.Received(data, name), actor=office, now=now)
              for data, name in ((document.docx(), "plan.docx"), (document.text().encode("utf-8"), "plan.txt"))]
    db.session.flush()
    word, text = ([tuple(getattr(r, f) for f in FIELDS) for r in d.rows] for d in drafts)
    assert word == text
    assert len(word) == 60
    assert [r[0] for r in word[::6]] == list(range(1, 11))  # ten sections of six
    assert all(d.layout == "table" for d in drafts)
    review = plan_imports.review_of(drafts[0])
    assert dict(review.unknown_names) == {plan_import.UNKNOWN: (25, 50)}
    assert review.problem_count == 2  # everything else the generator writes is read


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_the_harness_runs_on_a_small_plan(tmp_path: Path) -> None:
    result = plan_import.run("sqlite", tasks=20, repeat=1, gets=3, where=tmp_path)
    assert result["docx"]["rows"] == result["txt"]["rows"] == 20
    assert result["review"]["queries"] > 0
    assert result["review"]["median_ms"] > 0
    assert "plan import sqlite" in plan_import.line(result)
    assert any("| sqlite |" in line for line in plan_import.markdown({"sqlite": result}))
