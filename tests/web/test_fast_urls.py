"""The templates' url_for builds exactly what Flask's would, for every route, path value and query string."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask, url_for

from tasktrack.web.fast_urls import fast_url_for, url_around, url_stem

QUERIES: list[dict[str, object]] = [
    {}, {"plan": 3}, {"plan": "all", "light": "red"}, {"category": "业务主管单位", "sort": "name", "dir": None},
    {"q": "a b&c=d/é?#%"}, {"unit": 7, "light": None, "reason": "stale"}, {"flag": True}, {"ids": [1, 2]},
    {"v": "a.b-c~d_e", "n": -3, "f": 1.5}, {"key with space": "x", "k&": "="},
]


def test_every_route_builds_the_same_url(app: Flask) -> None:
    with app.test_request_context("/"):
        checked = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            for number, query in itertools.product((1, 42, 1987654300), QUERIES):
                values = {**dict.fromkeys(rule.arguments, number), **query}
                assert fast_url_for(rule.endpoint, **values) == url_for(rule.endpoint, **values), (rule, values)
                checked += 1
        assert checked > 500


def test_unusual_calls_go_to_flask(app: Flask) -> None:
    with app.test_request_context("/"):
        assert fast_url_for("everyone.task", task_id=5, _anchor="x") == url_for("everyone.task", task_id=5,
                                                                                 _anchor="x")
        assert fast_url_for("everyone.task", task_id=5, _external=True).startswith("http")
        assert fast_url_for("static", filename="app.css") == url_for("static", filename="app.css")


def test_a_stem_and_an_id_are_the_url(app: Flask) -> None:
    """url_stem(endpoint) followed by the id is url_for's URL, for every route whose one int path value ends it; any
    other route is refused (a template cannot build a wrong link from it)."""
    with app.test_request_context("/"):
        stems = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            names = list(rule.arguments)
            if not (len(names) == 1 and rule.rule.endswith(f"<int:{names[0]}>") and not rule.defaults
                    and len(list(app.url_map.iter_rules(rule.endpoint))) == 1):
                with pytest.raises(ValueError, match="not a route ending"):
                    url_stem(rule.endpoint)
                continue
            for number in (1, 42, 1987654300):
                assert url_stem(rule.endpoint) + str(number) == url_for(rule.endpoint, **{names[0]: number}), rule
            stems += 1
        assert stems > 10
        assert url_stem("everyone.unit") == "/units/"


def test_the_text_around_an_id_and_the_id_are_the_url(app: Flask) -> None:
    """url_around(endpoint) with the id between its two parts is url_for's URL, for every route with one int path
    value; any other route is refused."""
    with app.test_request_context("/"):
        around = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            names = list(rule.arguments)
            if not (len(names) == 1 and f"<int:{names[0]}>" in rule.rule and not rule.defaults
                    and len(list(app.url_map.iter_rules(rule.endpoint))) == 1):
                with pytest.raises(ValueError, match="not a route with one int path value"):
                    url_around(rule.endpoint)
                continue
            for number in (1, 42, 1987654300):
                head, tail = url_around(rule.endpoint)
                assert f"{head}{number}{tail}" == url_for(rule.endpoint, **{names[0]: number}), rule
            around += 1
        assert around > 30
        assert url_around("liaison.report") == ("/assignments/", "/report")


def test_routes_are_kept_per_prefix_the_app_is_served_under(app: Flask) -> None:
    """The routes are built once per worker, for each prefix (script root) the app is served under: a request under
    another prefix gets its own links, never the first one's."""
    for base, prefix in [("http://h/", ""), ("http://h/tt/", "/tt"), ("http://h/", ""), ("http://h/a/b/", "/a/b")]:
        with app.test_request_context("/", base_url=base):
            assert fast_url_for("everyone.task", task_id=9) == url_for("everyone.task", task_id=9) \
                == f"{prefix}/tasks/9"
            assert url_stem("everyone.unit") == f"{prefix}/units/"
