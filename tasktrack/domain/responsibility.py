"""Parsing and expansion of 责任单位 phrases such as "省民政厅、业务主管单位、行业管理部门".

``parse_responsible`` splits a phrase into known names (unit names and category aliases), matched
longest-first on the normalised phrase (``tasktrack.domain.text.normalize``), with separators
(、，,；; and spaces) allowed between them. It does not split on "、" first, because the category
各市、县（市、区） itself contains "、". Anything that is neither a known name nor a separator is an
error naming it; nothing is guessed.

``expand_responsible`` turns the terms into the units that own the task: a named unit is itself,
a category is every unit in it. When the first term is a unit, that unit leads the task.

Imported plans use :func:`tasktrack.domain.owners.read_owners` instead, which never raises: it lists
each unknown name and vague owner as a problem and reads roles (牵头, 配合, 会同, labels).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tasktrack.domain.text import normalize, normalize_with_positions

#: The canonical category names (DESIGN §2), in their display order.
CATEGORY_NAMES: tuple[str, ...] = (
    "业务主管单位",
    "行业管理部门",
    "党建工作机构",
    "综合监管部门",
    "登记管理机关",
    "各专班成员单位",
    "各市、县（市、区）",
    "观察点",
)

#: alias → canonical category name (every canonical name maps to itself).
DEFAULT_CATEGORY_ALIASES: dict[str, str] = {
    **{name: name for name in CATEGORY_NAMES},
    "专班成员单位": "各专班成员单位",
    "成员单位": "各专班成员单位",
    "相关市、县（市、区）": "各市、县（市、区）",
    "各市县": "各市、县（市、区）",
    "全省清廉社会组织建设观察点": "观察点",
    "各观察点": "观察点",
    "登记管理机构": "登记管理机关",
}

_SEPARATORS = frozenset("、,;，；")  # full-width ，； are already half-width after normalize


@dataclass(frozen=True)
class ResponsibleTerm:
    """One named piece of a 责任单位 phrase: either a unit or a category."""

    text: str  # the piece as written
    unit: str | None  # canonical unit name when the piece names a unit
    category: str | None  # canonical category name when it names a category


@dataclass(frozen=True)
class Responsible:
    """A unit that owns a task, and whether it leads it."""

    unit: str
    is_lead: bool


class ResponsibilityParseError(ValueError):
    """A 责任单位 phrase that cannot be read; ``str(e)`` is a Chinese message."""

    def __init__(self, phrase: str, remainder: str, message: str) -> None:
        self.phrase = phrase
        self.remainder = remainder
        super().__init__(message)


def name_table(unit_names: Iterable[str], category_aliases: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Map each matching key to ("unit"|"category", canonical name); refuse ambiguous keys."""
    table: dict[str, tuple[str, str]] = {}
    entries = [(name, ("unit", name)) for name in unit_names]
    entries += [(alias, ("category", canonical)) for alias, canonical in category_aliases.items()]
    for written, target in entries:
        key = normalize(written)
        if not key:
            raise ValueError(f"单位或类别名称为空：“{written}”")
        if key in table and table[key] != target:
            raise ValueError(f"名称“{written}”同时指向“{table[key][1]}”和“{target[1]}”")
        table[key] = target
    return table


def parse_responsible(
    phrase: str, *, unit_names: Iterable[str], category_aliases: Mapping[str, str]
) -> list[ResponsibleTerm]:
    """Split a 责任单位 phrase into unit and category terms; raise ResponsibilityParseError on leftovers."""
    key, positions = normalize_with_positions(phrase)
    if not key.strip("".join(_SEPARATORS)):
        raise ResponsibilityParseError(phrase, phrase, f"责任单位为空：“{phrase}”")
    table = name_table(unit_names, category_aliases)
    names = sorted(table, key=len, reverse=True)
    furthest = 0
    failed: set[int] = set()

    def split(start: int) -> list[tuple[int, int, str]] | None:
        """Return (start, end, key) spans covering key[start:], longest names first, or None."""
        nonlocal furthest
        while start < len(key) and key[start] in _SEPARATORS:
            start += 1
        if start == len(key):
            return []
        if start in failed:
            return None
        furthest = max(furthest, start)
        for name in names:
            if key.startswith(name, start):
                rest = split(start + len(name))
                if rest is not None:
                    return [(start, start + len(name), name), *rest]
        failed.add(start)
        return None

    spans = split(0)
    if spans is None:
        remainder = phrase[positions[furthest] :].strip()
        raise ResponsibilityParseError(
            phrase, remainder, f"无法识别的责任单位：“{remainder}”（责任单位：“{phrase}”）"
        )
    terms = []
    for start, end, name in spans:
        kind, canonical = table[name]
        text = phrase[positions[start] : positions[end - 1] + 1]
        terms.append(
            ResponsibleTerm(
                text=text,
                unit=canonical if kind == "unit" else None,
                category=canonical if kind == "category" else None,
            )
        )
    return terms


def expand_responsible(
    terms: Sequence[ResponsibleTerm], *, members: Mapping[str, Sequence[str]], unit_order: Sequence[str]
) -> list[Responsible]:
    """Expand terms into the owning units: lead (first term, if a unit) first, then by unit_order."""
    lead = terms[0].unit if terms else None
    units: list[str] = []
    for term in terms:
        if term.unit is not None:
            named = [term.unit]
        elif term.category is not None:
            named = list(members.get(term.category, ()))
        else:
            named = []
        units.extend(unit for unit in named if unit not in units)
    rank = {unit: index for index, unit in enumerate(unit_order)}
    others = [unit for unit in units if unit != lead]
    # Units missing from unit_order keep their order of appearance, after the ordered ones.
    others.sort(key=lambda unit: (0, rank[unit]) if unit in rank else (1, units.index(unit)))
    result = [Responsible(unit=lead, is_lead=True)] if lead is not None else []
    return result + [Responsible(unit=unit, is_lead=False) for unit in others]
