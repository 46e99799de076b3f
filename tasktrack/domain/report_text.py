"""Sentences the drafted documents (进展通报, 工作总结) share: narratives cleaned and trimmed, unit names in
brackets, Chinese numbering, the plan's work name. Pure: every sentence a composer writes from a report is a
part of that report's text (``clean_narrative``), cut at a sentence boundary, never rewritten.
"""

from __future__ import annotations

import datetime as dt
import re

#: Where a narrative may be cut: after a sentence's end.
SENTENCE_ENDS = "。！？；"
#: Trailing marks a trimmed narrative may end with as it stands.
_FINAL = ("。", "！", "？", "……")
_DIGITS = "零一二三四五六七八九"
#: Endings of a plan's title that name the document, not the work (…工作任务表 → …).
_TITLE_SUFFIXES = ("工作任务分工方案", "工作任务清单", "工作任务表", "重点任务清单", "任务清单", "任务表",
                   "工作要点", "工作计划", "工作方案", "工作任务")


def cn_number(n: int) -> str:
    """Return 1–99 in Chinese numerals (一, 十, 十一, 二十一); other numbers as digits."""
    if 1 <= n <= 9:
        return _DIGITS[n]
    if 10 <= n <= 99:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def level1(n: int, text: str) -> str:
    """Return a level-1 heading: 一、text."""
    return f"{cn_number(n)}、{text}"


def level2(n: int, text: str) -> str:
    """Return a level-2 heading: （一）text."""
    return f"（{cn_number(n)}）{text}"


def bracket(unit: str) -> str:
    """Return a unit's name as the drafts print it before its words: 【省民政厅】."""
    return f"【{unit}】"


def short_date(day: dt.date) -> str:
    """Return 7月18日."""
    return f"{day.month}月{day.day}日"


def work_name(plan_title: str) -> str:
    """Return the work a plan's title names: 2024年省清廉社会组织建设工作任务表 → 2024年省清廉社会组织建设."""
    name = plan_title.strip()
    for suffix in _TITLE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name.removesuffix("工作") or plan_title.strip()


def clean_narrative(text: str) -> str:
    """Return a narrative as one paragraph: lines stripped and joined (a line without a final mark gets "，")."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    joined = ""
    for line in lines:
        if joined and joined[-1] not in SENTENCE_ENDS + "，、：…":
            joined += "，"
        joined += line
    return joined


def trim(text: str, limit: int) -> str:
    """Return a cleaned narrative of at most ``limit`` characters, cut after its last whole sentence.

    With no sentence end in the first ``limit`` characters it is cut at the last comma (or hard) and ends with
    "……". What remains is always a prefix of ``text`` (apart from the final mark).
    """
    if len(text) <= limit:
        return finish(text)
    head = text[:limit]
    end = max(head.rfind(mark) for mark in SENTENCE_ENDS)
    if end >= limit * 2 // 5:
        return finish(head[: end + 1])
    comma = max(head.rfind("，"), head.rfind("、"))
    cut = head[:comma] if comma >= limit // 3 else head
    return cut.rstrip("，、：；") + "……"


def finish(sentence: str) -> str:
    """Return a sentence ending with a final mark: a trailing ；，、： becomes 。, a bare end gets 。."""
    sentence = sentence.rstrip()
    if not sentence or sentence.endswith(_FINAL):
        return sentence
    return sentence.rstrip("；，、：,;:") + "。"


def unit_list(names: list[str]) -> str:
    """Return names joined with 、."""
    return "、".join(names)


def task_numbers(numbers: list[int]) -> str:
    """Return 第1、4、6项."""
    return "第" + "、".join(str(n) for n in numbers) + "项"
