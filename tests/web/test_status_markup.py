"""The kept badges (web/status_markup.py) are their macros' HTML for every look, user text escaped as the macro does."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, render_template_string

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.models import AssignmentStatus, CompletionState
from tasktrack.web import status_markup

AT = dt.datetime(2024, 7, 1, 2, 5, tzinfo=dt.UTC)


def _macro(template: str, name: str, *args: Any) -> str:
    """What the template's own macro renders for ``args``."""
    names = [f"x{i}" for i in range(len(args))]
    source = f'{{% from "{template}" import {name} %}}{{{{ {name}({", ".join(names)}) }}}}'
    return render_template_string(source, **dict(zip(names, args, strict=True)))


def _kept(helper: str, *args: Any) -> str:
    """What a page renders with the kept badge, twice (the second time from the store)."""
    source = "{{ " + helper + "(" + ", ".join(f"x{i}" for i in range(len(args))) + ") }}"
    values = {f"x{i}": a for i, a in enumerate(args)}
    first = render_template_string(source, **values)
    assert render_template_string(source, **values) == first
    return first


def test_every_look_is_the_macros_html(app: Flask) -> None:
    task = SimpleNamespace(deadline_phrase="<b>6月底前</b> & 全年", due_date=dt.date(2024, 6, 30))
    with app.test_request_context("/"):
        seen = set()
        for light, reason in itertools.product(Light, Reason):
            result = LightResult(light, reason, -3)
            html = _kept("light_html", result)
            assert html == _macro("_macros/status.html", "light", result)
            seen.add(html)
        assert len(seen) == len(Light) * len(Reason)  # every look its own
        assert _kept("light_html", None) == _macro("_macros/status.html", "light", None)
        for color in Light:
            assert _kept("light_badge_html", color) == _macro("_macros/status.html", "light_badge", color)
        for status, percent in itertools.product(AssignmentStatus, (None, 0, 40, 100)):
            a = SimpleNamespace(status=status, percent=percent)
            assert _kept("status_html", a) == _macro("_macros/status.html", "status", a)
        for kind, due in itertools.product(DeadlineKind, (None, dt.date(2024, 6, 30))):
            t = SimpleNamespace(deadline_phrase=task.deadline_phrase, deadline_kind=kind, due_date=due)
            html = _kept("deadline_html", t)
            assert html == _macro("_macros/status.html", "deadline", t)
            assert "&lt;b&gt;6月底前&lt;/b&gt; &amp; 全年" in html  # the phrase as written, escaped
        for closed, at, name, phone in itertools.product((None, AT), (None, AT), (None, "张<三>"), (None, "0571-1")):
            a = SimpleNamespace(closed_at=closed, acknowledged_at=at, handler_name=name, handler_phone=phone)
            html = _kept("acknowledgement_html", a)
            assert html == _macro("_macros/status.html", "acknowledgement", a)
            assert "张<三>" not in html
        for extended, state, reason, pending in itertools.product(
                (None, dt.date(2024, 9, 30)), CompletionState, (None, Reason.STALE, Reason.OVERDUE), (False, True)):
            a = SimpleNamespace(extended_due=extended, completion_state=state, task=task)
            light = LightResult(Light.RED, reason, -1) if reason else None
            assert _kept("due_html", a) == _macro("_macros/progress.html", "due", a)
            assert _kept("markers_html", a, light, pending) == _macro("_macros/progress.html", "markers", a, light,
                                                                      pending)


def test_plan_options_are_the_macros_html_for_every_list(app: Flask) -> None:
    """A plan selector's options (督办总览, the assignment list), kept per look: each list, selection and width is the
    macro's own HTML; a title a secretariat typed is escaped as the macro escapes it; another list is another look."""
    plans = [SimpleNamespace(id=i, year=2024 + i % 2, title=f"计划<{i}> & “全年”工作任务表（第{i}批）")
             for i in range(1, 6)]
    with app.test_request_context("/"):
        for chosen, selected, width in itertools.product((plans, plans[:2], []), (None, 1, 2, 99), (0, 16)):
            html = _kept("plan_options_html", chosen, selected, width)
            assert html == _macro("_macros/plans.html", "plan_options", chosen, selected, width)
            assert "<1>" not in html
            assert html.count(" selected") == (1 if any(p.id == selected for p in chosen) else 0)
        renamed = [SimpleNamespace(id=1, year=2025, title="改名后的计划")]
        assert "改名后的计划" in _kept("plan_options_html", renamed, 1, 0)


def test_an_edited_macro_shows_at_once_with_auto_reload(tmp_path: Path) -> None:
    """Development: with template auto-reload on, an edited badge macro shows its new markup at the next page, as a
    page's own template does (the kept looks of the old file are forgotten); with it off, looks are kept."""
    macros = tmp_path / "_macros"
    macros.mkdir()
    source = macros / "status.html"

    def write(mark: str, stamp: int) -> None:
        source.write_text("{% macro light(r) %}<i>" + mark + "{{ r.light.value }}</i>{% endmacro %}", "utf-8")
        os.utime(source, (stamp, stamp))

    result = LightResult(Light.RED, Reason.OVERDUE, -3)
    for reload, expected in ((True, "<i>new red</i>"), (False, "<i>old red</i>")):
        write("old ", 1_700_000_000)
        dev = Flask(__name__, template_folder=str(tmp_path))
        dev.config["TEMPLATES_AUTO_RELOAD"] = reload
        badges = status_markup.Badges(dev)
        with dev.app_context():
            assert badges.light_html(result) == "<i>old red</i>"
            write("new ", 1_700_000_100)
            assert badges.light_html(result) == expected
