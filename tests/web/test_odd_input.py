"""Odd input never gives a 500 (issue 10 item 3): ids the database cannot hold, junk query values, unsafe JSON.

Every error is the app's own Chinese page, or JSON under /api. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL, whose INTEGER id columns stop at 2**31 − 1.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict

from tasktrack.extensions import db
from tasktrack.models import AuditEvent, CaseReport, FocusChoice, ProgressReport
from tasktrack.web.params import IdConverter
from tests.web.matrix import Route
from tests.web.odd_input import Site, assert_json, assert_page, make_site

#: Ids no INTEGER column holds (2**31 is the first beyond PostgreSQL's), and things that are no id at all.
BAD_IDS = ["2147483648", str(2**63 - 1), str(2**63), str(2**64), "99999999999999999999", "0", "-1", "abc", "1e3",
           "²", "١٢", "1" * 5000]
ID_ARG = re.compile(r"<(?:int|id)(?:\([^)]*\))?:(\w+)>")


#: One setup for the module (tests/isolation.py, shared state): every test starts from the same signed-in site and
#: its writes are rolled back after it; the tests that need no site run inside the group and touch nothing.
pytestmark = pytest.mark.shared_state("odd_input")


@pytest.fixture
def site(app: Flask, seeded: None, make_user: Callable[..., Any], now: Any) -> Site:
    site: Site = app.extensions["tests_isolation"].shared(lambda: make_site(app, make_user, now))
    return site


def int_rules(app: Flask) -> list[tuple[str, str, str]]:
    """Return (rule, method, endpoint) for every route with an id in its path."""
    found = []
    for rule in app.url_map.iter_rules():
        if any(isinstance(conv, IdConverter) for conv in rule._converters.values()):
            for method in sorted((rule.methods or set()) - {"OPTIONS"}):
                found.append((rule.rule, method, rule.endpoint))
    return found


def test_every_int_in_a_path_is_an_id(app: Flask) -> None:
    rules = int_rules(app)
    assert len(rules) > 30
    assert all("<int:" in rule or "<id:" in rule for rule, _, _ in rules)
    for rule in app.url_map.iter_rules():
        for name, conv in rule._converters.items():
            assert isinstance(conv, IdConverter) or type(conv).__name__ in ("UnicodeConverter", "PathConverter"), \
                f"{rule.rule}: {name} uses {type(conv).__name__}"


def test_int_routes_answer_404_for_ids_that_cannot_exist(app: Flask, site: Site) -> None:
    for (rule, method, endpoint), value in itertools.product(int_rules(app), BAD_IDS):
        path = ID_ARG.sub(value, rule)
        if endpoint.startswith("api."):
            response = site.api(method, path[len("/api/v1"):], json={})
        else:
            response = site.page.open(path, method=method, data={"csrf_token": site.csrf})
        if method == "HEAD":  # no body
            assert response.status_code == 404, path
        elif endpoint.startswith("api."):
            assert_json(response, 404)
        else:
            assert_page(response, 404, "页面不存在")


def test_int_routes_answer_404_for_the_largest_id(app: Flask, site: Site) -> None:
    """2**31 − 1 reaches the database (it fits every INTEGER column) and finds nothing."""
    clients = [(site.page, site.csrf), site.signed_in("liaison"), site.signed_in("observation_point")]
    for rule, method, endpoint in int_rules(app):
        path = ID_ARG.sub(str(2**31 - 1), rule)
        if method == "HEAD":
            continue
        if endpoint.startswith("api."):
            assert_json(site.api(method, path[len("/api/v1"):], json={}), 404)
            continue
        # Asked by a role the route's blueprint admits (the guard answers 403 before any object is looked up).
        for client, token in clients:
            response = client.open(path, method=method, data={"csrf_token": token})
            if response.status_code != 403:
                break
        if response.status_code == 302 and method == "POST":  # a form that flashes "不存在" and goes back
            continue
        assert_page(response, 404)


def test_the_id_converter_matches_exactly_the_ids() -> None:
    pattern = re.compile(IdConverter.regex)
    for n in (1, 9, 10, 99, 100, 999_999_999, 10**9, 1_999_999_999, 2 * 10**9, 2_147_483_639, 2**31 - 1):
        assert pattern.fullmatch(str(n)), n
    for text in ("0", "01", "-1", "²", "1.0", str(2**31), "2147483650", "2150000000", "3000000000", "9" * 10, "1" * 11):
        assert not pattern.fullmatch(text), text
    matched = [n for n in range(0, 3000) if pattern.fullmatch(str(n))]
    assert matched == list(range(1, 3000))


HUGE = "99999999999999999999"
PAGE_QUERIES = [
    ("/dashboard/assignments", "page=abc", "page"), ("/dashboard/assignments", "page=0", "page"),
    ("/dashboard/assignments", "page=-1", "page"), ("/dashboard/assignments", "page=1e9", "page"),
    ("/dashboard/assignments", f"page={HUGE}", "page"), ("/dashboard/assignments", "page=²", "page"),
    ("/dashboard/assignments", "light=bogus", "light"), ("/dashboard/assignments", "reason=%00", "reason"),
    ("/dashboard/assignments", f"unit={HUGE}", "unit"), ("/dashboard/assignments", "unit=2147483648", "unit"),
    ("/dashboard/assignments", f"section={HUGE}", "section"), ("/dashboard/assignments", "plan=-5", "plan"),
    ("/dashboard/assignments", f"plan={HUGE}", "plan"), ("/dashboard", f"plan={HUGE}", "plan"),
    ("/dashboard", "plan=abc", "plan"), ("/dashboard", "sort=%00", "sort"), ("/dashboard", "sort=x", "排序"),
    ("/dashboard", "category=%00", "category"), ("/dashboard", "category=x", "类别"),
    ("/cases/", f"unit={HUGE}", "unit"), ("/cases/", f"focus={HUGE}", "focus"), ("/cases/", f"year={HUGE}", "year"),
    ("/cases/", "year=-1", "year"), ("/cases/", "page=abc", "page"), ("/cases/", "kind=bogus", "kind"),
    ("/cases/", "status=%00", "status"), ("/admin/reminders/outbox", "status=bogus", "status"),
]


def test_pages_refuse_a_query_value_with_a_chinese_400(site: Site) -> None:
    for path, query, word in PAGE_QUERIES:
        assert_page(site.page.get(f"{path}?{query}"), 400, "请求无效", word)


def test_large_in_range_values_are_not_errors(site: Site) -> None:
    assert site.page.get("/dashboard/assignments?page=100000").status_code == 200
    assert site.page.get("/cases/?page=100000&year=9999&unit=2147483647").status_code == 200
    assert site.page.get("/dashboard/assignments?unit=2147483647&section=2147483647").status_code == 200
    assert_page(site.page.get("/dashboard/assignments?plan=2147483647"), 404)
    assert site.page.get("/dashboard/assignments?page=").status_code == 200  # empty: the default


def test_correcting_an_unknown_report_is_404(site: Site) -> None:
    for value in (HUGE, "2147483648", "²"):
        path = f"/assignments/{site.ctx.own_assignment_id}/report?correct={value}"
        assert_page(site.liaison.get(path), 404)


API_QUERIES = [
    ("/assignments", "page=abc", "page"), ("/assignments", f"page={HUGE}", "page"), ("/assignments", "page=²", "page"),
    ("/assignments", "per_page=0", "per_page"), ("/assignments", f"per_page={HUGE}", "per_page"),
    ("/assignments", f"unit={HUGE}", "unit"), ("/assignments", "unit=²", "unit"), ("/assignments", "plan=-5", "plan"),
    ("/assignments", f"plan={HUGE}", "plan"), ("/assignments", "light=bogus", "light"),
    ("/dashboard", f"plan={HUGE}", "plan"), ("/dashboard", "plan=2147483648", "plan"),
    ("/cases", f"unit={HUGE}", "unit"), ("/cases", f"focus={HUGE}", "focus"), ("/cases", f"year={HUGE}", "year"),
    ("/cases", "page=abc", "page"), ("/cases", "kind=bogus", "kind"), ("/cases", "status=bogus", "status"),
]


def test_api_refuses_a_query_value_with_422_and_its_field(site: Site) -> None:
    for path, query, field in API_QUERIES:
        assert_json(site.api("GET", f"{path}?{query}"), 422, field)


# --- JSON bodies -------------------------------------------------------------------------------------------

def _count(model: Any) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _raw_json(site: Site, method: str, path: str, body: str | bytes, role: str = "liaison") -> Any:
    return site.api(method, path, role=role, data=body, headers={"Content-Type": "application/json"})


UNSAFE_BODIES = [
    '{"status": "in_progress", "narrative": "a\\ud800b"}',
    '{"status": "in_progress", "narrative": "ok", "\\udfff": 1}',
    '{"status": "in_progress", "narrative": ["\\udc00"]}',
    b'{"status": "in_progress", "narrative": "\xed\xa0\x80"}',
    b'{"status": "in_progress", "narrative": "\xff"}',
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "[" * 33 + "]" * 33,
    '{"status": "in_progress", "narrative": "x", "percent": ' + "9" * 5000 + "}",
    '{"status": "in_progress", "narrative": "x"',
]


def test_report_api_refuses_unsafe_json_with_400(site: Site) -> None:
    """Lone surrogates (escaped, as UTF-8 bytes, in keys), bad UTF-8, deep nesting, huge numbers, broken JSON."""
    before = (_count(ProgressReport), _count(AuditEvent))
    for body in UNSAFE_BODIES:
        response = _raw_json(site, "POST", f"/assignments/{site.ctx.own_assignment_id}/reports", body)
        message = assert_json(response, 400)["error"]
        if isinstance(body, str) and body.startswith(("[[", '{"a"')):
            assert "嵌套层数过多" in message
    assert (_count(ProgressReport), _count(AuditEvent)) == before


def test_report_api_accepts_json_nested_within_the_limit(site: Site) -> None:
    body = '{"status": "in_progress", "narrative": "正常\\u4e2d\\ud83d\\ude00", "extra": ' + "[" * 30 + "]" * 30 + "}"
    response = _raw_json(site, "POST", f"/assignments/{site.ctx.own_assignment_id}/reports", body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["report"]["narrative"] == "正常中😀"


def test_focus_choice_and_review_apis_refuse_unsafe_json(site: Site) -> None:
    path = f"/observation-points/{site.ctx.obs_unit_id}/focus-choices"
    before = _count(FocusChoice)
    for body in ('{"items": [1], "plans": {"1": "a\\ud800"}}', "[" * 50_000 + "]" * 50_000):
        assert_json(_raw_json(site, "PUT", path, body, "observation_point"), 400)
    odd_keys = '{"items": [1], "plans": {"²": "x", "99999999999999999999": "y"}, "extra": 1}'
    assert 400 <= _raw_json(site, "PUT", path, odd_keys, "observation_point").status_code < 500
    big = f'{{"items": [{HUGE}, 2147483648], "plans": {{}}}}'
    assert 400 <= _raw_json(site, "PUT", path, big, "observation_point").status_code < 500
    assert _count(FocusChoice) == before
    case_id = db.session.scalar(sa.select(sa.func.min(CaseReport.id))) or 1
    for body, status in (('{"action": "accept", "comment": "\\ud800"}', 400), ("[1, 2]", 422), ('"accept"', 422)):
        assert_json(_raw_json(site, "POST", f"/cases/{case_id}/review", body, "secretariat"), status)


def test_case_api_ignores_ids_that_cannot_exist(site: Site) -> None:
    before = _count(CaseReport)
    response = site.api("POST", "/cases", role="liaison", data={
        "kind": "bogus", "title": "t", "summary": "s", "body": "b", "task_id": HUGE, "focus_item_id": "²"})
    assert_json(response, 422, "kind")
    assert _count(CaseReport) == before


def test_no_view_parses_json_by_itself() -> None:
    """Every JSON body goes through web/params.py::json_body (the one safe parse)."""
    root = Path(__file__).resolve().parents[2] / "tasktrack"
    offenders = [str(p) for p in root.rglob("*.py") if p.name != "params.py"
                 and re.search(r"get_json\(|request\.json\b|json\.loads\(request", p.read_text(encoding="utf-8"))]
    assert not offenders


# --- form posts and URLs with bytes that are not UTF-8 -----------------------------------------------------

@pytest.mark.parametrize("text", ["%ED%A0%80", "%FF%C0%AF"])
def test_form_posts_with_invalid_utf8_are_no_500(site: Site, text: str) -> None:
    """Werkzeug keeps percent-escapes that are not UTF-8 as the text typed: nothing the database cannot store."""
    path = f"/assignments/{site.ctx.own_assignment_id}/report"
    html = site.liaison.get(path).get_data(as_text=True)
    base = re.search(r'name="base_report_id"[^>]*value="([0-9]*)"', html)
    assert base is not None
    body = f"csrf_token={site.liaison_csrf}&status=in_progress&percent=1&narrative=前{text}后&base_report_id="
    response = site.liaison.post(path, data=body + base.group(1), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.rollback()
    latest = db.session.scalar(sa.select(ProgressReport).order_by(ProgressReport.id.desc()).limit(1))
    assert latest is not None
    assert latest.narrative == f"前{text}后"
    response = site.liaison.post(path, data=body + text, content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500
    point, csrf = site.signed_in("observation_point")
    body = f"csrf_token={csrf}&focus_item_id={text}&log_date=2024-07-01&note=x{text}&plan_%C2%B2=x&items={text}"
    for action in ("logs", "choice"):
        response = point.post(f"/observation/points/{site.ctx.obs_unit_id}/{action}", data=body,
                              content_type="application/x-www-form-urlencoded")
        assert response.status_code == 422, action
    assert site.page.get(f"/cases/?q={text}&kind=").status_code == 200
    assert site.page.get(f"/dashboard?category={text}").status_code == 400
    assert_page(site.page.get(f"/cases/{text}"), 404)


def test_query_values_with_control_characters_are_refused(site: Site) -> None:
    for query in ("q=a%00b", "q=%01", "kind=%00", "x%00=1"):
        assert_page(site.page.get(f"/cases/?{query}"), 400, "无法处理的字符")
    assert_json(site.api("GET", "/cases?q=a%00b"), 422, "q")
    assert site.page.get("/cases/?q=a%09b").status_code == 200  # a tab is text

# --- a small fuzz: every GET route with odd query values -------------------------------------------------

FUZZ = ["page=-1", "page=0", "page=1e9", "page=99999999999999999999", "per_page=0", "per_page=-3", "plan=all",
        "plan=-5", "plan=0", "plan=2147483648", "sort=%00", "unit=%00", "unit=99999999999999999999", "light=bogus",
        "year=99999999999999999999", "focus=-1", "status=%FF", "q=%ED%A0%80", "dir=%00", "category=%00",
        "section=abc", "reason=x", "kind=%00", "correct=abc", "next=%00", "page=1&page=abc"]


class _ReadArgs(ImmutableMultiDict[str, str]):
    """Query (and form) values that note the names a view reads, while ``_READ`` is a set (see ``_views_noted``).

    Reading every name (iteration, ``items``, ``to_dict``: e.g. building the links of a list's pages) notes "*".
    """

    def _note(self, key: object) -> None:
        if _READ is not None:
            _READ.add(str(key))

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self._note("*")
        return super().__iter__()

    def items(self, multi: bool = False) -> Any:
        self._note("*")
        return super().items(multi)

    def lists(self) -> Any:
        self._note("*")
        return super().lists()

    def to_dict(self, flat: bool = True) -> Any:
        self._note("*")
        return super().to_dict(flat)


#: The names the running view has read (None outside a view).
_READ: set[str] | None = None


def _views_noted(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """Make every view note the query names it reads (in the view itself, not in the app's hooks), by endpoint."""
    read: dict[str, set[str]] = {}
    monkeypatch.setattr(app.request_class, "parameter_storage_class", _ReadArgs)

    def noting(endpoint: str, view: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            global _READ
            _READ = read.setdefault(endpoint, set())
            try:
                return view(*args, **kwargs)
            finally:
                _READ = None
        return wrapped

    for endpoint, view in list(app.view_functions.items()):
        monkeypatch.setitem(app.view_functions, endpoint, noting(endpoint, view))
    return read


def test_no_get_route_fails_on_odd_query_values(app: Flask, site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every GET route, with each odd value of a name its view reads, answers below 500 with our own error.

    A value under a name the view never reads cannot change its answer, so each route is first asked once and
    its view notes the names it reads (``_ReadArgs``); a view that reads every name gets every value. Every
    route also gets a control character under a name of its own (the app's hook refuses it before any view).
    """
    from tests.web.test_route_matrix import ROWS

    read = _views_noted(app, monkeypatch)
    rows = [r for r in ROWS if r.method == "GET"]
    assert len(rows) > 25
    asked = 0
    for row in rows:
        base = row.path(site.ctx)

        def get(query: str, row: Route = row, base: str = base) -> Any:
            path = f"{base}{'&' if '?' in base else '?'}{query}" if query else base
            if row.endpoint.startswith("api."):
                return site.api("GET", path[len("/api/v1"):]), path
            return site.page.get(path), path

        probe, _ = get("")
        probe.close()
        names = read.setdefault(row.endpoint, set())
        sent: set[str] = set()
        # Until no new name is read: an odd value may lead the view to read names the plain page does not.
        while pending := [q for q in ["zz=%00", *FUZZ]
                          if q not in sent and (q == "zz=%00" or "*" in names or q.split("=", 1)[0] in names)]:
            for query in pending:
                sent.add(query)
                response, path = get(query)
                asked += 1
                where = f"{path} -> {response.status_code}"
                assert response.status_code < 500, where
                if response.status_code >= 400 and row.endpoint.startswith("api."):
                    assert_json(response, response.status_code)
                elif response.status_code >= 400:
                    assert_page(response, response.status_code)
                response.close()
    # The views of the lists read their names (the noting works), and not every route reads every name.
    names = read["everyone.assignment_list"]
    assert "*" in names or {"page", "plan", "light", "unit"} <= names, names
    assert len(rows) < asked < len(rows) * (len(FUZZ) + 1)
