"""Quantitative targets (指标) of a plan or task: "党建入章率 ≥ 98%", "4A级及以上社会组织 ≥ 200 家".

``find_targets`` offers the targets written in running text; ``parse_target`` reads one typed by the
secretariat; ``parse_value`` reads the current value a unit reports, and ``Target.is_met_by`` sets it against the
target (达标 / 未达标, by the comparator). A target is *what* is measured, a ``Comparator``, a ``Decimal`` value
with its unit, and the year it is due by when the sentence says one.

How running text is read (one sentence at a time, split on 。；！？ and line breaks):

=================================================  ==========  =======================================
wording before the number (and after it)           comparator  example
=================================================  ==========  =======================================
不少于 / 不低于 / 不小于 / 至少                   ≥           比例原则上不低于30%
达到 / 达 / 提高到 / 提升到 / 增加到 / 保持在 …    ≥           党建入章率达到98%以上
  … with 以下 / 以内 after the number              ≤           达到5%以内
超过 / 高于 / 多于 / 大于 / 突破                   >           超过200家
不超过 / 不高于 / 不多于 / 控制在                  ≤           控制在5%以内
低于 / 少于 / 小于                                 <           低于3%
实现…全覆盖                                        = 100%      实现社区党组织全覆盖 (…覆盖率)
=================================================  ==========  =======================================

"达到100%" (and ≥ 100%) is read as = 100%: a rate cannot exceed it. *What* is the clause before the
wording (after the last comma), without a leading time (到2030年), area (全市, 全省), list number
（三）/1./一是 or modal (力争, 原则上, 确保), plus the noun after the unit when there is one
("培育不少于50个社区社会组织" → 培育社区社会组织). The year is the last "…年" before the number in the sentence.
A number needs a unit (%, 个, 家, 项, 人次, 万元, …); 万/亿 multiply it; Chinese numerals and 百分之… are
read. Never a target: dates and years (a number followed by 年/月/日), 文号 (no wording, no unit), list
numbers, and ranges such as "1-2项", "3至5家" or "90%-95%" — a range is not one number, so it is left to
a person. Growth against last year ("较上年增长10%") is not read either: it has no absolute value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum


class Comparator(Enum):
    """How a reported value is compared with a target's value."""

    GE = "≥"
    LE = "≤"
    EQ = "="
    GT = ">"
    LT = "<"

    @property
    def ascii(self) -> str:
        """Return the ASCII form (">=", "<=", "=", ">", "<")."""
        return {"≥": ">=", "≤": "<=", "=": "=", ">": ">", "<": "<"}[self.value]

    @property
    def chinese(self) -> str:
        """Return the Chinese wording (不低于, 不高于, 等于, 高于, 低于)."""
        return {"≥": "不低于", "≤": "不高于", "=": "等于", ">": "高于", "<": "低于"}[self.value]

    def holds(self, reported: Decimal, target: Decimal) -> bool:
        """Return whether a reported value meets a target value under this comparator (达标)."""
        return {
            "≥": reported >= target, "≤": reported <= target, "=": reported == target,
            ">": reported > target, "<": reported < target,
        }[self.value]


@dataclass(frozen=True)
class Target:
    """A quantitative target: what is measured, how it compares, the value and unit, and the due year."""

    what: str
    comparator: Comparator
    value: Decimal
    unit: str
    year: int | None
    phrase: str  # the words the target was read from

    @property
    def label(self) -> str:
        """Return the display form, e.g. "党建入章率 ≥ 98%" or "4A级及以上社会组织 ≥ 200 家"."""
        return f"{self.what} {self.comparator.value} {amount_label(self.value, self.unit)}"


    def is_met_by(self, reported: Decimal) -> bool:
        """Return whether a reported value meets the target (达标)."""
        return self.comparator.holds(reported, self.value)


class TargetParseError(ValueError):
    """A typed target that cannot be read; ``str(e)`` is a Chinese message."""


def amount_label(value: Decimal, unit: str) -> str:
    """Return a value with its unit as shown: "98%", "200 家", "1.2万元"."""
    number = format_number(value)
    if unit in ("%", "‰") or (unit and number[-1] in "万亿"):
        return f"{number}{unit}"
    return f"{number} {unit}".rstrip()


def format_number(value: Decimal) -> str:
    """Return a value without exponent or trailing zeros; whole 万/亿 multiples keep their 万/亿."""
    for size, name in ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万")):
        if value >= size and (value / size * 100) % 1 == 0:
            return f"{_plain(value / size)}{name}"
    return _plain(value)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"
#: Measure words a target's number must carry (longest first, so 个工作日 wins over 个).
_MEASURE_WORDS = (
    "个百分点 百分点 万元 亿元 元 万人次 人次 家次 个工作日 工作日 个月 个 家 项 人 名 次 所 户 场 篇 期 批 条"
    " 件 支 座 套 处 类 种 倍 平方米 亩 公里 小时 天 % ‰"
)
_MEASURES = "|".join(sorted(_MEASURE_WORDS.split(" "), key=len, reverse=True))
_AMOUNT = rf"(?:百分之\s*(?P<pct>{_NUMBER})|(?P<num>{_NUMBER})\s*(?P<mult>万|亿)?\s*(?P<unit>{_MEASURES}))"
_CUES: dict[str, Comparator] = {
    **dict.fromkeys(("不少于", "不低于", "不小于", "至少"), Comparator.GE),
    **dict.fromkeys(("不超过", "不高于", "不多于", "控制在"), Comparator.LE),
    **dict.fromkeys(("超过", "高于", "多于", "大于", "突破"), Comparator.GT),
    **dict.fromkeys(("低于", "少于", "小于"), Comparator.LT),
}
_REACH = ("达到", "提高到", "提升到", "增加到", "增长到", "提高至", "提升至", "增至", "保持在", "稳定在", "达")
_CUE_RE = "|".join(sorted([*_CUES, *_REACH], key=len, reverse=True))
_FIND = re.compile(
    rf"(?<![下传送表抵转到])(?P<cue>{_CUE_RE})\s*(?:为|在|有|建成|培育|打造|创建|新增)?\s*{_AMOUNT}"
    r"\s*(?P<after>以上|以下|以内|左右)?"
)
_RANGE_BEFORE = re.compile(r"[\d一二三四五六七八九十]\s*[-~～—至到]\s*$")
_RANGE_AFTER = re.compile(rf"\s*[-~～—至到]\s*{_NUMBER}")
_DATE_AFTER = re.compile(r"\s*[年月日号]")
_COVERAGE = re.compile(r"实现(?P<what>[^，,；;。：:]{2,30}?)全覆盖")
_SENTENCES = re.compile(r"[^。；;！？!?\n]+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
_LEAD = re.compile(
    r"^(?:(?:到|至|在)?\s*(?:19|20)\d\d\s*年(?:底|末)?前?|力争|确保|全市|全省|全区|全县|全国|各地|同时|其中|年内"
    r"|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、是]|\d+\s*[.、)）])+"
)
_TRAIL = re.compile(r"(?:原则上|力争|确保|要|应当|应|将|须|必须|基本|均|都|逐步|稳步|累计|分别|的)+$")
_CLAUSE_BREAK = re.compile(r"[，,：:]")
_FULL_WIDTH = str.maketrans({chr(0xFF10 + d): str(d) for d in range(10)} | {"％": "%", "．": "."})


def _cn_number(text: str) -> Decimal | None:
    """Return the value of a Chinese numeral below 一万 (二百, 九十八, 十二, 两千零五), or None."""
    total = current = 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = current * 10 + _CN_DIGITS[ch] if current and not total else _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return Decimal(total + current)


def _number(text: str) -> Decimal | None:
    """Return the value of an Arabic or Chinese number, or None."""
    if text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return _cn_number(text)


def _amount(match: re.Match[str]) -> tuple[Decimal, str] | None:
    """Return (value, unit) of a matched amount, multiplied by 万/亿."""
    if match.group("pct"):
        value = _number(match.group("pct"))
        return None if value is None else (value, "%")
    value = _number(match.group("num"))
    if value is None:
        return None
    unit = match.group("unit")
    mult = match.group("mult") or ""
    if unit in ("万元", "亿元", "万人次"):
        mult, unit = mult + unit[0], unit[1:]
    for ch in mult:
        value *= 10_000 if ch == "万" else 100_000_000
    return value, unit


def _clean_what(text: str) -> str:
    """Strip a leading time/area/modal and a trailing modal from a clause."""
    text = _LEAD.sub("", text.strip())
    return _TRAIL.sub("", text.strip()).strip()


def _comparator(cue: str, after: str | None) -> Comparator:
    if cue in _CUES:
        return _CUES[cue]
    if after in ("以下", "以内"):
        return Comparator.LE
    return Comparator.EQ if after == "左右" else Comparator.GE


def find_targets(text: str) -> list[Target]:
    """Return the quantitative targets written in running text, in reading order."""
    text = text.translate(_FULL_WIDTH)  # one character for one, so spans stay those of the text
    targets: list[Target] = []
    for sentence in _SENTENCES.finditer(text):
        body = sentence.group()
        found: list[tuple[int, Target]] = []
        for match in _FIND.finditer(body):
            target = _read_match(body, match)
            if target is not None:
                found.append((match.start(), target))
        for match in _COVERAGE.finditer(body):
            what = _clean_what(match.group("what"))
            if what:
                what += "覆盖率"
                year = _year_before(body, match.start())
                found.append((match.start(), Target(what, Comparator.EQ, Decimal(100), "%", year, match.group())))
        targets.extend(target for _, target in sorted(found, key=lambda pair: pair[0]))
    return targets


def _year_before(body: str, end: int) -> int | None:
    years = _YEAR.findall(body[:end])
    return int(years[-1]) if years else None


def _read_match(body: str, match: re.Match[str]) -> Target | None:
    """Return the target of one comparator match in a sentence, or None when it is not one."""
    number = "pct" if match.group("pct") else "num"
    if _RANGE_BEFORE.search(body[: match.start(number)]):
        return None
    amount_end = match.end("unit") if match.group("unit") else match.end(number)
    if _RANGE_AFTER.match(body, match.end(number)) or _RANGE_AFTER.match(body, amount_end):  # 1-2项, 90%-95%
        return None
    if _DATE_AFTER.match(body, match.end()):
        return None
    amount = _amount(match)
    if amount is None:
        return None
    value, unit = amount
    clause_start = max((m.end() for m in _CLAUSE_BREAK.finditer(body, 0, match.start())), default=0)
    what = _clean_what(body[clause_start : match.start()])
    rest = _CLAUSE_BREAK.split(body[match.end() :], maxsplit=1)[0].strip()
    if rest and len(rest) <= 15 and not rest.startswith("的") and not _FIND.search(rest):
        what += rest
    if not what:
        return None
    comparator = _comparator(match.group("cue"), match.group("after"))
    if unit == "%" and value == 100 and comparator is Comparator.GE:
        comparator = Comparator.EQ
    phrase = body[clause_start : match.end()].strip()
    return Target(what, comparator, value, unit, _year_before(body, match.start()), phrase)


_TYPED_COMPARATORS: dict[str, Comparator] = {
    **dict.fromkeys((">=", "≥", "≧", "不低于", "不少于", "至少", "达到"), Comparator.GE),
    **dict.fromkeys(("<=", "≤", "≦", "不高于", "不超过", "不多于"), Comparator.LE),
    **dict.fromkeys(("==", "=", "等于"), Comparator.EQ),
    **dict.fromkeys((">", "高于", "超过"), Comparator.GT),
    **dict.fromkeys(("<", "低于"), Comparator.LT),
}
_TYPED_RE = "|".join(re.escape(c) for c in sorted(_TYPED_COMPARATORS, key=len, reverse=True))
_TYPED = re.compile(
    rf"^(?:(?:到|至)?\s*(?P<year1>(?:19|20)\d\d)\s*年\s*[，,]?\s*)?(?P<what>.*?)\s*(?P<cmp>{_TYPED_RE})\s*"
    rf"(?P<num>{_NUMBER})?\s*(?P<mult>万|亿)?\s*(?P<unit>[^\s（(]*)\s*(?:[（(]\s*(?P<year2>(?:19|20)\d\d)\s*年?\s*[)）])?$"
)
_TYPED_FULL_WIDTH = str.maketrans({"＞": ">", "＜": "<", "＝": "="})


def parse_target(text: str) -> Target:
    """Read a typed target such as "4A级及以上社会组织 ≥ 200 家" or "党建入章率≥98%（2030年）"."""
    typed = text.strip().translate(_FULL_WIDTH).translate(_TYPED_FULL_WIDTH)
    if not typed:
        raise TargetParseError("指标为空")
    match = _TYPED.match(typed)
    if match is None:
        raise TargetParseError(f"指标缺少比较符号（≥、≤、=、>、<）或格式无法识别：“{text}”")
    what = match.group("what").strip()
    if not what:
        raise TargetParseError(f"指标缺少名称（例如“党建入章率 ≥ 98%”）：“{text}”")
    if not match.group("num"):
        raise TargetParseError(f"指标缺少数值：“{text}”")
    value = _number(match.group("num"))
    if value is None:
        raise TargetParseError(f"指标数值无法识别：“{match.group('num')}”")
    for ch in match.group("mult") or "":
        value *= 10_000 if ch == "万" else 100_000_000
    year = match.group("year1") or match.group("year2")
    return Target(
        what=what,
        comparator=_TYPED_COMPARATORS[match.group("cmp")],
        value=value,
        unit=match.group("unit"),
        year=int(year) if year else None,
        phrase=text,
    )


#: The largest value a target or a reported value may hold (the columns keep 18 digits, four after the point).
MAX_VALUE = Decimal(10) ** 14
_VALUE = re.compile(rf"^(?P<num>{_NUMBER})(?P<mult>万|亿)?(?P<unit>\D*)$")


def parse_value(text: str, unit: str = "") -> Decimal:
    """Read a reported current value ("98", "98.5%", "1,200 家", "1.2万"): a number, optionally with the target's unit.

    A value is never negative and keeps at most four decimals; anything else is a ``TargetParseError`` in Chinese.
    """
    typed = re.sub(r"\s+", "", text.translate(_FULL_WIDTH))
    typed = re.sub(r"(?<=\d),(?=\d{3})", "", typed)
    match = _VALUE.match(typed)
    if typed.startswith("-") and _VALUE.match(typed[1:]):
        raise TargetParseError("当前值不能为负数")
    if match is None or match.group("unit") not in ("", unit):
        shown = f"{unit}" if unit else ""
        raise TargetParseError(f"当前值须为数字（例如 98、98.5{shown}）：“{text.strip()}”")
    value = _number(match.group("num"))
    if value is None:
        raise TargetParseError(f"当前值无法识别：“{text.strip()}”")
    for ch in match.group("mult") or "":
        value *= 10_000 if ch == "万" else 100_000_000
    if value >= MAX_VALUE:
        raise TargetParseError("当前值过大，请检查")
    if value != value.quantize(Decimal("0.0001")):
        raise TargetParseError("当前值最多保留四位小数")
    return value
