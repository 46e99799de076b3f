"""Reading 责任单位 phrases of imported plans: every owner, its role, and what needs a person's choice.

``read_owners`` never raises on a name it does not know. It reads a phrase such as
"市民政局牵头，市财政局、相关部门等配合" into

* ``terms`` — each owner named, known (a unit or a category alias) or not, with its role;
* ``unknown`` — each name that is neither a unit nor an alias, on its own, as written;
* ``vague`` — owners that need a choice rather than a guess: pieces starting with 相关/有关/各有关/
  其他/其余, pieces ending in 有关部门/相关单位 (市级有关部门), "各地"/"各部门"-like collectives, and the
  open end of a list ("…等", "…等部门");
* ``tail`` — the trailing formula such as 按职责分工负责 / 分别负责 / 负责, understood and dropped (a
  formula inside the phrase is understood and dropped too).

The whole phrase may be wrapped in parentheses, as it is after a numbered item: "（…按职责分工负责）".

How the phrase is cut (on the matching key, :func:`tasktrack.domain.text.normalize`):

* A known name is taken whole (with a parenthesised gloss right after it), longest first, wherever a
  new piece starts (after a separator, a role word, or another name), so names containing 、/和
  (各市、县（市、区）, 省文化广电和旅游厅) stay whole. A vague phrase that is itself a known alias
  (相关市、县（市、区）) is therefore resolved, not vague.
* Unknown text runs up to a separator 、，,；; (outside parentheses), a role word, an "等" ending, or a
  和/及/与/以及 that follows a unit-like ending (局, 厅, 委, 部门, 单位, …), so "市住房和城乡建设局"
  stays one name while "市民政局和市财政局" is two. A piece that is only an administrative level
  ("县（市、区）", "区", "县（市）政府") joins the piece before it: "相关市、县（市、区）" is one owner.

Roles: labels (牵头单位：/主责单位： lead; 配合单位：/协办单位：/参与单位：/协同单位： co; 责任单位： not said,
or lead when the phrase also has a co-owner label), "A牵头" (also 分别牵头, 牵头负责), "A负责，B配合",
"A会同B" / "A联合B" (A lead, B co), "B配合"/"B参与"/"B协助", "由A负责", and a role in parentheses
after a name ("市民政局（牵头）", "（配合）"). With no role wording at all
every role is None and :func:`expand_owners` keeps the old rule (the first term, if a unit, leads), so
the 2024 seed reads exactly as before.

A formula (按职责分工负责, 分别负责, 共同负责, 抓好落实, a final 负责, …) makes a single owner before it
the lead, unless a lead is already named or an earlier formula shared the work. With
several owners and no other role wording ("市民政局、市财政局按职责分工负责") nobody leads: each is a
co-owner answering for its own share, because the document names no lead and guessing the first would
put one unit in charge of the others. After other role wording ("A牵头，B、C按职责分工负责") the owners
before the formula are co-owners.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from tasktrack.domain.responsibility import Responsible, name_table
from tasktrack.domain.text import normalize_with_positions

Role = Literal["lead", "co"]

_SEPARATORS = frozenset("、,;")  # ，； are half-width after normalize
_CONJUNCTIONS = ("以及", "和", "及", "与")
#: Last characters of unit-like names; 和/及/与 after one of them separates two owners.
_UNIT_ENDINGS = frozenset("局厅委部办会院室处所站队行联府区县市镇乡道门位构关司团心组社校")
_ADMIN_LEVEL = re.compile(r"^(?:(?:县|区|市|乡|镇|街道|县市区|乡镇|乡镇街道)$|(?:县|区|市|乡|镇)（)")
_VAGUE = re.compile(
    r"^(?:各?(?:相关|有关)|其他|其它|其余|各(?:地|级|部门|单位|方面))|(?:相关|有关)(?:职能)?(?:部门|单位|机构|方面)$"
)
_GLOSS = re.compile(r"（[^（）]*）")
_ETC = re.compile(r"等(?:有关|相关|其他)?(?:部门|单位|机构|地方)?")
#: Responsibility formulas (按职责分工负责, 分别负责, 抓好落实, …); 分别/共同/各自 only with their verb,
#: so that names such as 共同富裕… are not cut.
_FORMULA = re.compile(
    r"(?:(?:按|根据|按照)(?:各自)?(?:职责|职能)(?:分工)?|(?:分别|共同|各自)(?=负责|落实|推进|实施|承担))"
    r"(?:负责落实|负责|落实|推进|实施|承担)?|(?:抓好|具体|贯彻)落实|组织实施"
)
#: A role written in parentheses after a name: 市民政局（牵头）.
_ROLE_PAREN = re.compile(r"（(牵头单位|牵头|主责单位|主责|配合单位|配合|参与单位|参与|协办单位|协办)）")
_LABELS: dict[str, Role | None] = {
    **{f"{name}:": "lead" for name in ("牵头单位", "牵头部门", "主责单位", "主办单位")},
    **{f"{name}:": "co" for name in ("配合单位", "配合部门", "协办单位", "参与单位", "协同单位", "协作单位")},
    **{f"{name}:": None for name in ("责任单位", "责任部门")},
}
_LEAD_AFTER = ("分别牵头", "共同牵头", "牵头负责", "牵头抓总", "牵头", "负责落实", "负责实施", "负责")
_CO_AFTER = ("积极配合", "协同配合", "共同参与", "配合实施", "配合", "参与", "协助", "协办", "参加")
_INFIX = ("会同", "联合")
#: keyword → kind, tried longest first.
_KEYWORDS: dict[str, str] = {
    **dict.fromkeys(_LABELS, "label"),
    **dict.fromkeys(_LEAD_AFTER, "lead"),
    **dict.fromkeys(_CO_AFTER, "co"),
    **dict.fromkeys(_INFIX, "infix"),
}
_KEYWORD_ORDER = sorted(_KEYWORDS, key=len, reverse=True)


@dataclass(frozen=True)
class OwnerTerm:
    """One owner named in a phrase: a known unit, a known category, or (both None) an unknown name."""

    text: str  # as written
    unit: str | None
    category: str | None
    role: Role | None  # None: the phrase does not say


@dataclass(frozen=True)
class OwnerReading:
    """What a 责任单位 phrase says: its owners, their roles, and what a person must still decide."""

    phrase: str
    terms: tuple[OwnerTerm, ...]
    unknown: tuple[str, ...]
    vague: tuple[str, ...]
    tail: str

    @property
    def problems(self) -> tuple[str, ...]:
        """Return one Chinese message per unknown name, vague owner, or an empty phrase."""
        return owner_problems(self)


def owner_problems(reading: OwnerReading) -> tuple[str, ...]:
    """Return one Chinese message per unknown name and vague owner of a reading (empty when none)."""
    messages = [f"未知的责任单位：“{name}”（请新建单位或对应到已有单位）" for name in reading.unknown]
    for entry in reading.vague:
        if _ETC.fullmatch(entry):
            messages.append(f"责任单位列表以“{entry}”结尾，未列全：请补全具体单位或删去“{entry}”")
        else:
            messages.append(f"责任单位不明确：“{entry}”，请指定具体单位")
    if not reading.terms and not reading.vague:
        messages.append(f"责任单位为空：“{reading.phrase}”")
    return tuple(messages)


@dataclass(frozen=True)
class _Token:
    kind: str  # name | run | sep | etc | label | lead | co | infix | pre | formula
    start: int
    end: int
    word: str = ""  # the keyword or known-name key


class _Scanner:
    """Cut a normalised phrase into tokens (see the module docstring)."""

    def __init__(self, key: str, by_first: Mapping[str, Sequence[str]]) -> None:
        self.key = key
        self.by_first = by_first  # first character → the names starting with it, longest first

    def name_at(self, i: int) -> str | None:
        """Return the longest known name starting at i."""
        return next((n for n in self.by_first.get(self.key[i], ()) if self.key.startswith(n, i)), None)

    def keyword_at(self, i: int) -> tuple[str, str] | None:
        """Return (kind, word) of the role word or formula at i ("联合会" is a name ending, not 联合)."""
        paren = _ROLE_PAREN.match(self.key, i)
        if paren is not None:
            return ("lead" if paren.group(1).startswith(("牵头", "主责")) else "co"), paren.group()
        formula = _FORMULA.match(self.key, i)
        if formula is not None:
            return "formula", formula.group()
        for word in _KEYWORD_ORDER:
            if self.key.startswith(word, i) and not (word == "联合" and self.key.startswith("会", i + 2)):
                return _KEYWORDS[word], word
        return None

    def ends_piece(self, i: int) -> bool:
        """Tell whether a piece may end just before i."""
        return i >= len(self.key) or self.key[i] in _SEPARATORS or self.keyword_at(i) is not None

    def tokens(self) -> list[_Token]:
        """Return the tokens of the whole key."""
        key, out = self.key, []
        i, run, depth = 0, -1, 0

        def close(at: int) -> None:
            nonlocal run
            if run >= 0:
                out.append(_Token("run", run, at))
                run = -1

        while i < len(key):
            if run < 0:
                name = self.name_at(i)
                if name is not None:
                    gloss = _GLOSS.match(key, i + len(name))  # 市委组织部（市委两新工委）: one owner
                    end = gloss.end() if gloss and not _ROLE_PAREN.match(gloss.group()) else i + len(name)
                    out.append(_Token("name", i, end, name))
                    i = end
                    continue
                if key[i] == "由" and (not out or out[-1].kind in ("sep", "label")):
                    out.append(_Token("pre", i, i + 1))
                    i += 1
                    continue
            if depth == 0:
                keyword = self.keyword_at(i)
                conj = next((c for c in _CONJUNCTIONS if key.startswith(c, i)), None)
                etc = _ETC.match(key, i)
                if keyword is not None:
                    close(i)
                    out.append(_Token(keyword[0], i, i + len(keyword[1]), keyword[1]))
                    i += len(keyword[1])
                    continue
                if key[i] in _SEPARATORS:
                    close(i)
                    out.append(_Token("sep", i, i + 1))
                    i += 1
                    continue
                after_name = run < 0 and bool(out) and out[-1].kind == "name"
                if conj and (after_name or (run >= 0 and key[i - 1] in _UNIT_ENDINGS)):
                    close(i)
                    out.append(_Token("sep", i, i + len(conj)))
                    i += len(conj)
                    continue
                if etc is not None and self.ends_piece(etc.end()):
                    close(i)
                    out.append(_Token("etc", i, etc.end()))
                    i = etc.end()
                    continue
            if key[i] == "（":
                depth += 1
            elif key[i] == "）" and depth:
                depth -= 1
            if run < 0:
                run = i
            i += 1
        close(i)
        return _join_admin_levels(key, out)


def _join_admin_levels(key: str, tokens: list[_Token]) -> list[_Token]:
    """Join a piece that is only an administrative level ("县（市、区）") to the unknown piece before it."""
    out: list[_Token] = []
    for token in tokens:
        if (
            token.kind == "run"
            and _ADMIN_LEVEL.match(key[token.start : token.end])
            and len(out) >= 2
            and out[-1].kind == "sep"
            and key[out[-1].start] == "、"
            and out[-2].kind == "run"
        ):
            out[-2:] = [_Token("run", out[-2].start, token.end)]
        else:
            out.append(token)
    return out


def _strip_frame(key: str) -> tuple[int, int]:
    """Return the span of key without wrapping parentheses and trailing punctuation."""
    start, end = 0, len(key)
    while end > start and key[end - 1] in "。.,;、":
        end -= 1
    while end - start >= 2 and key[start] == "（" and _closing(key, start) == end - 1:
        start, end = start + 1, end - 1
    return start, end


def _closing(key: str, start: int) -> int:
    """Return the index of the parenthesis closing the one at start (-1 when unbalanced)."""
    depth = 0
    for index in range(start, len(key)):
        depth += {"（": 1, "）": -1}.get(key[index], 0)
        if depth == 0:
            return index
    return -1


@functools.lru_cache(maxsize=16)
def _name_index(
    unit_names: tuple[str, ...], aliases: tuple[tuple[str, str], ...]
) -> tuple[Mapping[str, tuple[str, str]], Mapping[str, tuple[str, ...]]]:
    """Return the name table and its keys by first character, longest first, built once per set of names: a
    review reads hundreds of rows against the same names, and normalising every name for every row was most of
    its time."""
    table = name_table(unit_names, dict(aliases))
    by_first: dict[str, list[str]] = {}
    for name in sorted(table, key=len, reverse=True):  # longest first, so the first match is the longest
        by_first.setdefault(name[0], []).append(name)
    return MappingProxyType(table), MappingProxyType({k: tuple(v) for k, v in by_first.items()})


def read_owners(phrase: str, *, unit_names: Iterable[str], category_aliases: Mapping[str, str]) -> OwnerReading:
    """Read a 责任单位 phrase into owners with roles, unknown names, vague owners and its tail; never raise."""
    full_key, positions = normalize_with_positions(phrase)
    start, end = _strip_frame(full_key)
    key = full_key[start:end]
    tail = ""

    def written(token: _Token) -> str:
        return phrase[positions[start + token.start] : positions[start + token.end - 1] + 1]

    table, by_first = _name_index(tuple(unit_names), tuple(category_aliases.items()))
    tokens = _Scanner(key, by_first).tokens()
    last = max((index for index, t in enumerate(tokens) if t.kind != "sep"), default=-1)
    has_co_label = any(t.kind == "label" and _LABELS[t.word] == "co" for t in tokens)
    terms: list[OwnerTerm] = []
    roles: list[Role | None] = []
    pending: list[int] = []  # terms whose role a following word may still decide
    unknown: list[str] = []
    vague: list[str] = []
    current: Role | None = None
    group_vague = 0  # vague owners (not "等") named since the last role word
    formula_seen = False

    def settle(role: Role | None) -> None:
        nonlocal group_vague
        for index in pending:
            roles[index] = role
        pending.clear()
        group_vague = 0

    for index, token in enumerate(tokens):
        if token.kind == "formula" or (token.kind == "lead" and token.word.startswith("负责") and index == last):
            # one owner before a formula leads unless a lead is already named; several share it as co-owners
            alone = len(pending) + group_vague == 1
            settle("lead" if alone and "lead" not in roles and not formula_seen else "co")
            formula_seen = True
            if index == last:
                tail = written(token)
        elif token.kind in ("name", "run"):
            text = written(token)
            if token.kind == "name":
                kind, canonical = table[token.word]
                unit, category = (canonical, None) if kind == "unit" else (None, canonical)
            elif _VAGUE.search(key[token.start : token.end]):
                vague.append(text)
                group_vague += 1
                continue
            else:
                unit = category = None
                unknown.append(text)
            terms.append(OwnerTerm(text, unit, category, None))
            roles.append(current)
            pending.append(len(terms) - 1)
        elif token.kind == "etc":
            vague.append(written(token))
        elif token.kind == "label":
            role = _LABELS[token.word]
            current = "lead" if role is None and has_co_label else role
            pending.clear()
            group_vague = 0
        elif token.kind == "lead":
            settle("lead")
        elif token.kind == "co":
            settle("co")
        elif token.kind == "infix":
            settle("lead")
            current = "co"
    final = tuple(OwnerTerm(t.text, t.unit, t.category, role) for t, role in zip(terms, roles, strict=True))
    return OwnerReading(phrase=phrase, terms=final, unknown=tuple(unknown), vague=tuple(vague), tail=tail)


def expand_owners(
    reading: OwnerReading, *, members: Mapping[str, Sequence[str]], unit_order: Sequence[str]
) -> list[Responsible]:
    """Expand a reading into owning units: leads first (as named), then co-owners by unit_order.

    A category expands to its members (all leads when the category leads). A unit named twice is
    listed once, as lead if any mention leads. With no role said anywhere, the first term leads when
    it is a unit (the rule of :func:`tasktrack.domain.responsibility.expand_responsible`).
    """
    terms = reading.terms
    said = any(term.role is not None for term in terms)
    leads: list[str] = []
    units: list[str] = []
    for index, term in enumerate(terms):
        if term.unit is not None:
            named = [term.unit]
        elif term.category is not None:
            named = list(members.get(term.category, ()))
        else:
            named = []
        leading = term.role == "lead" or (not said and index == 0 and term.unit is not None)
        if leading:
            leads.extend(unit for unit in named if unit not in leads)
        units.extend(unit for unit in named if unit not in units)
    rank = {unit: index for index, unit in enumerate(unit_order)}
    others = [unit for unit in units if unit not in leads]
    others.sort(key=lambda unit: (0, rank[unit]) if unit in rank else (1, units.index(unit)))
    return [Responsible(unit, True) for unit in leads] + [Responsible(unit, False) for unit in others]
