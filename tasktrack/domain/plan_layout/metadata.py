"""The document's head and attachments: 文号, issuer, issue date, title, period, addressees, members.

Only the head (the lines before the first section) is searched for the 文号, so numbers of documents
cited in the body ("浙功组发〔2023〕3号") are never taken. Rules, in order of preference:

* 文号: a line that is only a 文号 (``〔2024〕4号``, ``[2025]``, ``（2025）``), or the value of a
  "文件编号:/文号:/发文字号:" label; a 文号 without its issuer prefix gets the issuer's name in front.
* issuer: a "…文件" line at the top, a "发布机构:/发文机关:" label, the line before a bare 文号, or the
  signature line before the issue date ("（代章）" and the like removed).
* issue date: the first standalone date line (the signature date, 成文日期); else a date in the head.
* title: X of "关于印发《X》的通知"; else the first title-like line of the head.
* year / end year: "2025年…" or "2025—2027年" in the title; else the 文号 year.
* addressees: the first line after the title that ends with "：".
* member units: after an attachment heading ending in "成员单位名单": a 、-list, one per line, or a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tasktrack.domain.plan_layout.markers import (
    DATE_RE,
    DOC_NUMBER_RE,
    Entry,
    Line,
    TableAt,
    arabic_dates,
    is_heading_like,
    is_standalone_date,
    item_marker,
)

_LABEL_VALUE = r"\s*[:：]\s*(?P<v>.+?)(?=\s{1,}[\u4e00-\u9fff]{2,6}\s*[:：]|\s{2,}|$)"
_TITLE_KINDS = re.compile(
    r"(?:通知|意见|方案|要点|计划|办法|决定|规定|细则|纲要|表|清单|台账|安排|分工|任务|事项|措施|举措)$")
SEAL = re.compile(r"[（(](?:代章|印章|盖章|章)[）)]$")
_YEARS = re.compile(r"(?P<a>\d{4})\s*(?:年\s*)?(?:[—–\-－~～至到]+\s*(?P<b>\d{4}))?\s*年")


@dataclass(frozen=True)
class Head:
    """What the head and attachments of a document say about it."""

    title: str
    year: int | None
    end_year: int | None
    document_number: str
    issuer: str
    issued_on: date | None
    addressees: str
    title_index: int | None  # index in the head lines of the title line (for the body's start)


def _compact(text: str) -> str:
    return re.sub(r"\s", "", text)


def _cjk_tight(text: str) -> str:
    """Remove spaces between Chinese characters (a line break inside a title)."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text.strip())


def parse_date(text: str) -> date | None:
    """Return the first date written in the text ("2024年4月15日", "2025-02-28"), or None."""
    match = DATE_RE.search(arabic_dates(text))
    if match is None:
        return None
    month, day = match["m"] or match["m2"], match["d"] or match["d2"]
    try:
        return date(int(match["y"]), int(month), int(day))
    except ValueError:
        return None


def _labelled(lines: list[str], labels: str) -> str:
    for text in lines:
        match = re.search(rf"(?:{labels}){_LABEL_VALUE}", text)
        if match:
            return match["v"].strip()
    return ""


def read_head(lines: list[str]) -> Head:
    """Read the metadata from the head lines (the lines before the first section)."""
    number, number_index = _labelled(lines, "文件编号|发文字号|文号"), None
    for index, text in enumerate(lines):
        if not number and DOC_NUMBER_RE.fullmatch(_compact(text)):
            number, number_index = text, index
    number = _compact(number)

    issuer = ""
    if lines and _compact(lines[0]).endswith("文件") and len(_compact(lines[0])) <= 30:
        issuer = _compact(lines[0])[:-2]
    issuer = issuer or _labelled(lines, "发布机构|发文机关|发文单位")
    if not issuer and number_index and is_heading_like(lines[number_index - 1]):
        issuer = _compact(lines[number_index - 1])
    issued_on, date_index = None, None
    for index, text in enumerate(lines):
        if is_standalone_date(text):
            issued_on, date_index = parse_date(text), index
            break
    if not issuer and date_index and is_heading_like(lines[date_index - 1]):
        issuer = SEAL.sub("", _compact(lines[date_index - 1]))
    if issued_on is None:
        issued_on = next((d for d in map(parse_date, lines) if d is not None), None)
    parts = DOC_NUMBER_RE.match(number)
    if parts is not None and not parts["prefix"] and issuer:
        number = issuer + number  # "〔2024〕4号" under the issuer's name

    title, title_index = "", None
    for index, text in enumerate(lines):
        match = re.search(r"关于印发\s*[《<]?(?P<t>[^《》<>]+?)[》>]?\s*的通知", text)
        if match:
            title, title_index = _cjk_tight(match["t"]), index
            break
    if not title:
        for index, text in enumerate(lines):
            compact = _compact(text)
            if _TITLE_KINDS.search(compact) and not compact.endswith("文件") and len(compact) <= 60 \
                    and item_marker(text) is None and not compact.startswith("附"):
                title, title_index = _cjk_tight(text), index
                break
    years = _YEARS.search(title)
    year = int(years["a"]) if years else None
    end_year = int(years["b"]) if years and years["b"] else year
    if year is None and number:
        found = DOC_NUMBER_RE.search(number)
        year = end_year = int(found["y"]) if found else None

    addressees = ""
    for text in lines[(title_index or 0) + (title_index is not None):]:
        stripped = text.strip()
        if stripped.endswith(("：", ":")) and "如下" not in stripped and not re.search(r"[。；]", stripped):
            addressees = stripped[:-1].strip()
            break
    return Head(title, year, end_year, number, issuer, issued_on, addressees, title_index)


def member_units(entries: list[Entry]) -> tuple[str, ...]:
    """Return the member units listed after the last "…成员单位名单" heading, in order."""
    start = None
    for index, entry in enumerate(entries):
        if isinstance(entry, Line) and re.search(r"成员(?:单位)?名单\s*$", entry.text) \
                and item_marker(entry.text) is None:
            start = index
    if start is None:
        return ()
    units: list[str] = []
    for entry in entries[start + 1 :]:
        if isinstance(entry, TableAt):
            for row in entry.table.rows:
                cells = [c.strip() for c in row if c.strip() and not re.fullmatch(r"\d+[.、]?", c.strip())]
                if cells and not re.search(r"序号|单位名称|成员单位|名称", cells[0]):
                    units.append(cells[0])
            continue
        text = entry.text.strip()
        if re.match(r"^附\s*件", text) or "。" in text:
            break
        marker = item_marker(text)
        text = marker[3] if marker else text
        units += [name.strip() for name in re.split(r"[、，,；;]", text) if name.strip()]
    return tuple(units)
