"""The one mail composer (issue 14): a template pair and a context make a Letter; links are absolute under
BASE_URL (also with a path prefix, never the request's host); user text cannot add a header line (R24);
and no other module renders an e-mail template or builds a MIME message."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.routing import BuildError

from tasktrack import mail, notifications
from tasktrack.notifications import Recipients

ROOT = pathlib.Path(__file__).resolve().parents[1] / "tasktrack"


def urge_context(note: str = "请抓紧") -> dict[str, object]:
    unit = SimpleNamespace(name="省民政厅")
    task = SimpleNamespace(number=6, ref="6", text="建立社会组织<廉洁>风险台账", deadline_phrase="6月底前")
    return {"assignment": SimpleNamespace(id=64), "unit": unit, "task": task, "note": note,
            "today": dt.date(2024, 8, 5), "actor": SimpleNamespace(name="专班")}


def test_compose_renders_the_template_pair(app: Flask) -> None:
    with app.app_context():
        letter = notifications.compose("urge", subject="【催办】省民政厅", context=urge_context(),
                                       recipients=Recipients.of(["a@x.org"], ["b@x.org", "a@x.org"]),
                                       base_url="https://gov.example/tasktrack/")
    assert letter.text == (
        "省民政厅：催办通知\n\n"
        "您好！专班办公室提请贵单位抓紧推进并报送以下任务的进展：\n\n"
        "6. 建立社会组织<廉洁>风险台账\n"
        "完成时间节点：6月底前\n\n"
        "专班办公室附言：请抓紧\n\n"
        "报送进展：https://gov.example/tasktrack/assignments/64\n\n"
        "——\n"
        "本邮件由清廉社会组织建设任务督办系统发出（8月5日），请勿直接回复。\n"
        "浙江省清廉社会组织建设工作专班办公室"
    )
    # The HTML part is autoescaped and links to the same absolute address; the text part is not escaped.
    link = '<a href="https://gov.example/tasktrack/assignments/64">'
    assert f"{link}6. 建立社会组织&lt;廉洁&gt;风险台账</a>" in letter.html
    assert letter.html.startswith("<!doctype html>")
    assert (letter.to, letter.cc) == (("a@x.org",), ("b@x.org",))  # To is not copied again


@pytest.mark.parametrize(("base", "expected"), [
    ("https://gov.example/tasktrack/", "https://gov.example/tasktrack/assignments/7"),
    ("https://gov.example/tasktrack", "https://gov.example/tasktrack/assignments/7"),
    ("http://tt.example", "http://tt.example/assignments/7"),
    ("http://tt.example:8080/a/b/", "http://tt.example:8080/a/b/assignments/7"),
])
def test_links_are_absolute_under_base_url(app: Flask, base: str, expected: str) -> None:
    with app.app_context():
        assert notifications.link(base, "everyone.assignment", assignment_id=7) == expected
        assert notifications.links(base)("everyone.assignment", assignment_id=7) == expected
        assert mail.link(base, "everyone.assignment", assignment_id=7) == expected  # the old name still works
        assert notifications.link(base, "everyone.observation_point", unit_id=3, _anchor="choose").endswith("/3#choose")


def test_links_ignore_the_requests_host(app: Flask) -> None:
    """Composed inside a request on an internal host name, links still use BASE_URL."""
    with app.test_request_context("/", base_url="http://10.0.0.5:8000/internal/"):
        letter = notifications.compose("urge", subject="s", context=urge_context(), recipients=Recipients(),
                                       base_url="https://gov.example/tasktrack/")
    assert "10.0.0.5" not in letter.text + letter.html
    assert "https://gov.example/tasktrack/assignments/64" in letter.text


@pytest.mark.parametrize("evil", ["\r\nBcc: evil@example.org", "\nBcc: evil@example.org", "\rX-Hdr: 1",
                                  "\u2028Bcc: evil@example.org", "\x85Bcc: evil@example.org"])
def test_subject_parts_cannot_add_a_header(app: Flask, evil: str) -> None:
    with app.app_context():
        letter = notifications.compose("urge", subject=f"【催办】省民政厅：请报送“6. 任务{evil}”进展",
                                       context=urge_context(), recipients=Recipients(), base_url="http://tt.example")
    assert not re.search(r"[\r\n\x85\u2028\u2029]", letter.subject)
    assert letter.subject.startswith("【催办】省民政厅：请报送“6. 任务 ")
    assert notifications.subject_line("a\r\n", "b") == "a b"
    # A body keeps its lines: only header values are one line.
    with app.app_context():
        letter = notifications.compose("urge", subject="s", context=urge_context(note="第一行\n第二行"),
                                       recipients=Recipients(), base_url="http://tt.example")
    assert "专班办公室附言：第一行\n第二行\n" in letter.text


def test_context_cannot_override_link(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="link"):
        notifications.compose("urge", subject="s", context={**urge_context(), "link": str}, recipients=Recipients(),
                              base_url="http://tt.example")


def _modules_matching(pattern: str) -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE):
            found.add(path.relative_to(ROOT).as_posix())
    return found


def test_mail_is_built_in_one_place() -> None:
    """One module renders e-mail templates (composing), one builds the MIME message (sending)."""
    assert _modules_matching(r"""["']email/""") == {"notifications.py"}
    assert _modules_matching(r"EmailMessage\(") == {"mail.py"}
    assert not _modules_matching(r"""f["'][^"']*\{base[^}]*\}/""")  # no hand-built links
    services = {m for m in _modules_matching(r"^\s*(from flask\b|import flask\b)") if m.startswith("services/")}
    assert not services - {"services/attachments.py"}, "services must not import Flask (settings come as values)"


def test_links_built_once_per_route_are_werkzeugs_links(app: Flask) -> None:
    """The digest's fast links (a route with integer path values filled in) are exactly what Werkzeug builds, and
    anything else — a query value, a string, an unknown endpoint — is built (or refused) by Werkzeug itself."""
    base = "https://gov.example/tt/"
    with app.app_context():
        fast = notifications.links(base)
        assert notifications.links(base) is fast  # bound once per BASE_URL
        parts = urlsplit(base)
        adapter = app.url_map.bind(parts.netloc, script_name=parts.path, url_scheme=parts.scheme)
        for endpoint, values in [("everyone.assignment", {"assignment_id": 7}),
                                 ("everyone.assignment", {"assignment_id": 123456}),
                                 ("everyone.observation_point", {"unit_id": 3}),
                                 ("liaison.my_tasks", {}),
                                 ("everyone.assignment", {"assignment_id": 7, "tab": "a b&c"}),
                                 ("everyone.dashboard", {"group": 5, "plan": "all"})]:
            assert fast(endpoint, **values) == adapter.build(endpoint, values, force_external=True)
        assert fast("everyone.assignment", assignment_id=9, _anchor="x") == "https://gov.example/tt/assignments/9#x"
        with pytest.raises(BuildError):
            fast("no.such_endpoint", assignment_id=1)
        with pytest.raises(BuildError):
            fast("everyone.assignment")  # its path value missing
