"""How an audit event reads: Chinese names of codes, and before/after as changes, user text unaltered."""

from __future__ import annotations

from tasktrack.domain import audit_labels as al


def test_known_codes_have_chinese_names_and_unknown_ones_are_shown_as_they_are() -> None:
    assert al.action_label("progress.report") == "报送进展"
    assert al.action_label("case.feature") == "选入案例汇编"
    assert al.action_label("login.locked_out") == "login.locked_out"
    assert al.object_label("ProgressReport") == "进展报送"
    assert al.object_label("Gadget") == "Gadget"
    assert al.field_label("narrative") == "进展情况"
    assert al.field_label("mystery") == "mystery"


def test_every_action_code_in_the_services_has_a_name() -> None:
    """A new audited write needs its Chinese name here (else the page shows the bare code)."""
    import re
    from pathlib import Path

    from tasktrack.services.cases import REVIEW_ACTIONS

    codes = {f"case.{action}" for action in REVIEW_ACTIONS}
    for path in (Path(al.__file__).resolve().parents[1] / "services").rglob("*.py"):
        text = path.read_text("utf-8")
        for call in re.finditer(r"\brecord(?:_bulk)?\(", text):
            head = text[call.end():call.end() + 200].split("now=")[0]
            codes |= set(re.findall(r'"([a-z_]+\.[a-z_]+)"', head))
    assert len(codes) > 30, sorted(codes)
    assert codes <= set(al.ACTION_LABELS), sorted(codes - set(al.ACTION_LABELS))
    assert {c.split(".")[0] for c in al.ACTION_LABELS} <= set(al.AREA_LABELS)


def test_typed_names_map_back_to_codes() -> None:
    assert al.action_from_label("报送进展") == "progress.report"
    assert al.action_from_label("没有这个") is None
    assert al.object_type_from_text("assignment") == "Assignment"
    assert al.object_type_from_text("任务分配") == "Assignment"
    assert al.object_type_from_text("Gadget") is None


def test_changes_show_old_and_new_with_codes_named_and_user_text_exact() -> None:
    before = {"status": "not_started", "percent": None, "narrative": "旧  说明\n第二行", "is_active": True}
    after = {"status": "in_progress", "percent": 30, "narrative": "=HYPERLINK(\"x\")  <b>新</b>", "is_active": True}
    got = al.changes(before, after, {"status": {"not_started": "未开始", "in_progress": "推进中"}})
    assert [(c.label, c.old, c.new, c.kind) for c in got] == [
        ("状态", "未开始", "推进中", "changed"),
        ("进度", "（空）", "30", "changed"),
        ("进展情况", "旧  说明\n第二行", "=HYPERLINK(\"x\")  <b>新</b>", "changed"),
    ]
    assert got[0].line() == "状态：未开始 → 推进中"


def test_a_new_object_lists_its_values_and_a_side_alone_is_marked() -> None:
    got = al.changes(None, {"email": "a@example.org", "role": "viewer", "is_active": False, "reason": None,
                            "attachments": []}, {"role": {"viewer": "只读用户"}})
    assert [c.line() for c in got] == ["邮箱：a@example.org", "角色：只读用户", "启用：否"]
    got = al.changes({"completion_state": "claimed", "note": ""}, {"status": "completed"})
    assert [c.line() for c in got] == ["状态：completed", "办结状态：原为 claimed"]
    assert [c.kind for c in got] == ["set", "before"]


def test_nested_mappings_are_compared_key_by_key_with_keys_as_written() -> None:
    before = {"version": 1, "items": {"财务管理": "计划甲", "name": "不变"}}
    after = {"version": 2, "items": {"财务管理": "计划乙", "name": "不变", "评比表彰": "新选"}}
    got = al.changes(before, after)
    assert [c.line() for c in got] == ["版本：1 → 2", "工作重点 · 财务管理：计划甲 → 计划乙",
                                       "工作重点 · 评比表彰：新选"]


def test_values_of_every_json_shape_are_displayed() -> None:
    assert al.display([3, 5]) == "3、5"
    assert al.display([]) == "（无）"
    assert al.display({"a": [1]}) == '{"a": [1]}'
    assert al.display(1.5) == "1.5"
    assert al.display("in_progress", {"in_progress": "推进中"}) == "推进中"
    assert al.display("in_progress") == "in_progress"
