"""Find the deadline and responsible phrases in an item's text, and its 一是…二是… runs.

Phrases are found and returned as written; reading them is the deadline and owner readers' job.

* A parenthesis at the end of the item is the responsible phrase when it holds a label (牵头单位：,
  配合单位：, 责任单位：…), an owner verb (负责, 牵头, 配合, 会同, 按职责分工) or a list of names that
  all end like a unit (局, 厅, 委, 办, 部, 院, 会, 室, 中心, 政府, 单位, 部门…). Time parts inside it
  ("市民政局负责，2025年底前完成") become the deadline phrase. The parenthesis is removed from the text.
* A parenthesis holding only a time ("（2025年6月底前完成）") is the deadline phrase; removed from the
  text when it ends the item.
* Label clauses "完成时限：…" / "责任单位：…" at the start of a sentence are phrases, removed from the text.
"""

from __future__ import annotations

import re

_UNIT_END = (
    "局", "厅", "委", "办", "部", "院", "会", "室", "中心", "政府", "单位", "部门", "机构", "机关",
    "组织", "处", "科", "所", "站", "行", "队", "团", "公司", "街道", "镇", "乡", "（市、区）", "（市）",
)
_OWNER_WORDS = re.compile(r"负责|牵头|配合|会同|协同|按职责|分工|参与")
_OWNER_LABEL = re.compile(r"(?:牵头|配合|责任|参与|协同|主责|承办)(?:单位|部门|主体)\s*[:：]")
_DEADLINE_LABEL = re.compile(r"(?:完成时限|完成时间|时间节点|完成期限|时间要求|完成时间节点)\s*[:：]")
TIME_RE = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月|年底|年内|年末|全年|季度|半年|长期|持续|常态|每月|每年|每周|每季|底前|之前|前完成"
)
_DEADLINE_HINT = re.compile(r"前|底|末|完成|年内|全年|长期|持续|常态|每|启动|截至|之内|以内")
_RUN = re.compile(r"(?:^|(?<=[。；;！!？?，,：:\s]))(?P<num>[一二三四五六七八九十]{1,2})是")
_CN_VALUE = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def _names_like_units(inner: str) -> bool:
    names = [name.strip() for name in re.split(r"[、，,和及与]", inner) if name.strip()]
    return bool(names) and all(name.endswith(_UNIT_END) for name in names)


def _is_time(part: str) -> bool:
    """A time phrase: a time word with a deadline hint, or only a date ("2025年6月"); not "2024年修订"."""
    dated = TIME_RE.search(part) is not None and (
        _DEADLINE_HINT.search(part) is not None or re.fullmatch(r"[\d\s年月日份底末—\-至到～~]+", part) is not None
    )
    return dated and not _names_like_units(part) and len(part) <= 30


def trailing_parenthesis(text: str) -> tuple[str, str, str] | None:
    """Return (text before, inner, text after) for a parenthesis that ends the text (nesting kept)."""
    stripped = text.rstrip()
    tail = ""
    while stripped and stripped[-1] in "。；;.":
        tail = stripped[-1] + tail
        stripped = stripped[:-1].rstrip()
    if not stripped.endswith(("）", ")")):
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        ch = stripped[index]
        depth += ch in "）)"
        depth -= ch in "（("
        if depth == 0:
            return stripped[:index], stripped[index + 1 : -1].strip(), tail
    return None


def split_owner_parenthesis(inner: str) -> tuple[str, str] | None:
    """Return (responsible, deadline) when a parenthesis names owners (or a time), else None.

    Time parts are taken out of an owner parenthesis with their separator; the rest stays as written.
    """
    if _OWNER_LABEL.search(inner) or _OWNER_WORDS.search(inner) or _names_like_units(inner):
        pieces = re.split(r"([；;，,])", inner)  # text, separator, text, …
        owners: list[str] = []
        times: list[str] = []
        for index in range(0, len(pieces), 2):
            part = pieces[index].strip()
            if _is_time(part) and not _OWNER_LABEL.match(part):
                times.append(_DEADLINE_LABEL.sub("", part, count=1).strip())
            elif part:
                owners.append((pieces[index - 1] if owners and index else "") + part)
        return ("".join(owners), "，".join(times)) if owners else (inner, "")
    if _is_time(inner):
        return "", _DEADLINE_LABEL.sub("", inner, count=1).strip()
    return None


def _label_clauses(text: str) -> tuple[str, list[str], list[str]]:
    """Remove "完成时限：…" / "责任单位：…" clauses; return (text, deadline parts, owner parts)."""
    deadlines: list[str] = []
    owners: list[str] = []
    pattern = re.compile(
        rf"(?:^|(?<=[。；;\n]))\s*(?P<clause>(?:{_OWNER_LABEL.pattern}|{_DEADLINE_LABEL.pattern})[^。；;\n]*)[。；;]?"
    )

    def take(match: re.Match[str]) -> str:
        clause = match["clause"].strip()
        if _DEADLINE_LABEL.match(clause):
            deadlines.append(re.sub(rf"^{_DEADLINE_LABEL.pattern}\s*", "", clause))
        else:
            owners.append(clause)
        return ""

    return pattern.sub(take, text).strip(), deadlines, owners


def extract_phrases(text: str) -> tuple[str, str, str]:
    """Return (text without extracted phrases, deadline phrase, responsible phrase)."""
    deadline = responsible = ""
    found = trailing_parenthesis(text)
    if found is not None:
        split = split_owner_parenthesis(found[1])
        if split is not None:
            responsible, deadline = split
            before = found[0].rstrip()
            text = before if before.endswith(("。", "；", ";", ".")) else before + found[2][:1]
    text, deadlines, owners = _label_clauses(text)
    if not deadline:
        deadline = "，".join(deadlines)
        if not deadline:
            for match in re.finditer(r"[（(]([^（）()]{2,30})[）)]", text):
                if _is_time(match[1]) and not _OWNER_WORDS.search(match[1]):
                    deadline = match[1].strip()
                    break
    if not responsible:
        responsible = "；".join(owners)
    return text.strip(), deadline, responsible


def runs(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split "…一是A。二是B。" into (lead-in, [("一是", A), ("二是", B)]); no runs when fewer than two."""
    found: list[re.Match[str]] = []
    for match in _RUN.finditer(text):
        if _CN_VALUE.get(match["num"], 0) == len(found) + 1:
            found.append(match)
    if len(found) < 2:
        return text, []
    parts: list[tuple[str, str]] = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        parts.append((match[0], text[match.end() : end].strip()))
    return text[: found[0].start()].strip(), parts


def lone_run(text: str) -> tuple[str, str] | None:
    """Return (marker, text) for a paragraph that is one run of its own ("二是…" alone), else None."""
    match = _RUN.match(text)
    return (match[0], text[match.end() :].strip()) if match else None
