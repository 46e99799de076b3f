"""Reading outside numbers and JSON: ids the database can hold, ASCII digits only, JSON without traps."""

from __future__ import annotations

import pytest

from tasktrack.domain.inputs import MAX_ID, MAX_JSON_DEPTH, has_lone_surrogate, is_id, json_problem, parse_id, parse_int


@pytest.mark.parametrize(("text", "expected"), [
    ("1", 1), (" 42 ", 42), ("007", 7), (str(MAX_ID), MAX_ID), ("0", None), ("-1", None), ("", None), (None, None),
    (str(MAX_ID + 1), None), (str(2**63), None), ("99999999999999999999", None), ("1" * 5000, None),
    ("²", None), ("١٢", None), ("１２", None), ("1e3", None), ("1.0", None), ("+1", None), ("0x10", None),
    ("1 2", None), ("abc", None),
])
def test_parse_id(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_parse_int_bounds_and_sign() -> None:
    assert parse_int("-5", low=-10, high=10) == -5
    assert parse_int("-5", low=0, high=10) is None
    assert parse_int("-0", low=0, high=10) is None  # a sign where none is allowed
    assert parse_int("11", low=0, high=10) is None
    assert parse_int("10", low=0, high=10) == 10


def test_is_id() -> None:
    assert is_id(1)
    assert is_id(MAX_ID)
    assert not is_id(MAX_ID + 1)
    assert not is_id(0)
    assert not is_id(True)
    assert not is_id("1")
    assert not is_id(1.0)


def test_lone_surrogates() -> None:
    assert has_lone_surrogate("a\ud800b")
    assert has_lone_surrogate("\udfff")
    assert not has_lone_surrogate("正常😀\ufffd")


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_json_problem_limits_depth_without_recursing() -> None:
    assert json_problem(_nested(MAX_JSON_DEPTH)) is None
    assert "嵌套层数" in (json_problem(_nested(MAX_JSON_DEPTH + 1)) or "")
    assert "嵌套层数" in (json_problem(_nested(200_000)) or "")
    deep_object: dict = {}
    for _ in range(MAX_JSON_DEPTH):
        deep_object = {"a": deep_object}
    assert "嵌套层数" in (json_problem(deep_object) or "")


@pytest.mark.parametrize("value", [
    "a\ud800b", {"\udc00": 1}, {"ok": ["x", {"y": "\udbff"}]}, ["\ud83d"],
])
def test_json_problem_finds_lone_surrogates_anywhere(value: object) -> None:
    assert "代理项" in (json_problem(value) or "")


def test_json_problem_accepts_ordinary_bodies() -> None:
    body = {"status": "in_progress", "percent": 30, "narrative": "已部署😀", "x": [1.5, None, True]}
    assert json_problem(body) is None
    assert json_problem(None) is None
    assert json_problem(10**100) is None
