"""What changed between two reports (domain/report_diff.py): the fields, and the narrative's segments."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from types import SimpleNamespace

import pytest

from tasktrack.domain import report_diff
from tasktrack.domain.report_diff import Segment, report_changes, text_segments

CHARS = "的了在是我有和就不人都一个上也很到说要去会着没有看好自己这社会组织清廉建设工作推进落实开展情况完成专班，"


def _report(narrative: str = "已完成调研。", status: str = "in_progress", percent: int | None = 30,
            completed_on: dt.date | None = None) -> SimpleNamespace:
    return SimpleNamespace(status=SimpleNamespace(value=status), percent=percent, completed_on=completed_on,
                           narrative=narrative)


def _spells(segments: list[Segment], old: str, new: str) -> None:
    """The equal and deleted segments spell the old text, the equal and inserted ones the new; no two neighbours
    are of one kind, and none is empty."""
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in itertools.pairwise(segments))


def test_changed_fields_are_named_and_shown_for_people() -> None:
    old = _report(percent=None)
    new = _report(status="completed", percent=100, completed_on=dt.date(2024, 7, 5))
    changes = {c.name: c for c in report_changes(old, new)}
    assert set(changes) == {"status", "percent", "completed_on"}
    assert (changes["status"].old, changes["status"].new) == ("推进中", "已完成")
    assert (changes["percent"].old, changes["percent"].new) == ("未填", "100%")
    assert changes["completed_on"].new == "2024年7月5日"
    assert changes["status"].label == "状态"
    assert report_changes(new, new) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("已完成调研。", "已完成调研。本月召开推进会。",
     [Segment("equal", "已完成调研。"), Segment("insert", "本月召开推进会。")]),
    ("覆盖 126 家社会组织。", "覆盖 140 家社会组织。",
     [Segment("equal", "覆盖 1"), Segment("delete", "26"), Segment("insert", "40"), Segment("equal", " 家社会组织。")]),
    ("上半年完成自查，下半年整改。", "下半年整改。",
     [Segment("delete", "上半年完成自查，"), Segment("equal", "下半年整改。")]),
    ("", "新写的说明", [Segment("insert", "新写的说明")]),
    ("旧的说明", "", [Segment("delete", "旧的说明")]),
])
def test_an_edit_shows_as_the_part_that_changed(old: str, new: str, expected: list[Segment]) -> None:
    assert text_segments(old, new) == expected
    narrative = report_changes(_report(old), _report(new))[-1]
    assert narrative.name == "narrative"
    assert narrative.segments == expected


def test_any_two_texts_are_spelled_back_by_their_segments() -> None:
    rng = random.Random(2024)
    for _ in range(200):
        base = "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 80)))
        old, new = list(base), list(base)
        for _ in range(rng.randint(0, 4)):  # a few edits anywhere, or none
            at = rng.randint(0, len(new))
            new[at:at + rng.randint(0, 3)] = rng.choice(["", "新增。", "改", "0571"])
        _spells(text_segments("".join(old), "".join(new)), "".join(old), "".join(new))


def test_two_long_texts_that_differ_throughout_are_compared_by_sentence() -> None:
    """Past the character budget the middle is compared sentence by sentence: what changed is whole sentences,
    and the segments still spell both texts (the narratives hold up to 10,000 characters)."""
    rng = random.Random(7)

    def sentence() -> str:
        return "".join(rng.choice(CHARS) for _ in range(rng.randint(10, 40))) + rng.choice("。！？；\n")

    kept = [sentence() for _ in range(120)]
    old = "".join(kept)
    new = "".join(s if i % 3 else sentence() for i, s in enumerate(kept))
    assert len(old) * len(new) > report_diff.CHARACTER_BUDGET
    segments = text_segments(old, new)
    _spells(segments, old, new)
    changed = [s for s in segments if s.op != "equal"]
    assert changed
    # Aligned by sentence: a change never runs on into the next sentence (each replaced sentence is then
    # compared by character), and the kept sentences stay equal.
    assert all(sum(s.text.count(m) for m in report_diff.SENTENCE_MARKS) <= 1 for s in changed)
    assert sum(len(s.text) for s in segments if s.op == "equal") > len(old) * 2 / 3


@pytest.mark.parametrize(("old", "new"), [
    ("a。" * 5000, "a。b。" * 2500),   # thousands of alike sentences
    ("甲乙。" * 3000, "乙甲。" * 3000),
    ("的" * 5000, "的了" * 2500),       # one character repeated, no sentence at all
    ("ab" * 3000, "ba" * 3000),
])
def test_repetitive_texts_are_spelled_back(old: str, new: str) -> None:
    """Texts that make difflib's comparison cubic (runs of one character or sentence) still come back whole; the
    character budget and the sentence comparison keep them from taking seconds (no timing asserted here: at the
    old cost this test alone ran for minutes)."""
    _spells(text_segments(old, new), old, new)


def test_a_small_edit_of_a_long_text_is_still_shown_by_character() -> None:
    """A liaison's report usually starts from the last one: the common start and end are set aside first, so a
    changed figure in a 10,000-character narrative is still shown as that figure."""
    rng = random.Random(11)
    head = "".join(rng.choice(CHARS) for _ in range(5000))
    tail = "".join(rng.choice(CHARS) for _ in range(4990))
    old, new = f"{head}共 126 家{tail}", f"{head}共 140 家{tail}"
    segments = text_segments(old, new)
    _spells(segments, old, new)
    assert [s.text for s in segments if s.op != "equal"] == ["26", "40"]


def test_pathological_sentences_stop_being_compared_by_character_past_the_total_budget() -> None:
    """Sentence against sentence, every pair of a 10,000-character text could be a worst case: past the total
    budget the rest are shown deleted and inserted whole, and the segments still spell both texts."""
    old = ("a" * 99 + "。") * 100
    new = ("ab" * 49 + "a。") * 100
    segments = text_segments(old, new)
    _spells(segments, old, new)
    whole = [s for s in segments if s.op == "delete" and s.text.endswith("a" * 99 + "。")]
    assert whole  # the last sentences were not compared by character
    assert report_diff.TOTAL_BUDGET < 100 * 100 * 100
