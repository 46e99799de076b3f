"""Template filters and globals."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_login import current_user

from tasktrack.clock import SHANGHAI
from tasktrack.domain.text import chinese_number
from tasktrack.permissions import Action, can
from tasktrack.web import status_markup
from tasktrack.web.fast_urls import fast_url_for, url_around, url_stem

WEEKDAYS = "一二三四五六日"


def cn_date(value: dt.date | dt.datetime | None) -> str:
    """Format a date as 2024年7月31日 (datetimes in Shanghai time with hh:mm)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        local = value.astimezone(SHANGHAI)
        return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"  # not strftime: slower
    return f"{value.year}年{value.month}月{value.day}日"


def days_phrase(days_left: int | None) -> str:
    """Return "剩 5 天", "今天到期", "逾期 3 天"."""
    if days_left is None:
        return ""
    if days_left > 0:
        return f"剩 {days_left} 天"
    if days_left == 0:
        return "今天到期"
    return f"逾期 {-days_left} 天"


def init_app(app: Flask) -> None:
    """Register the helpers."""
    app.add_template_filter(chinese_number, "cn_number")
    app.add_template_filter(cn_date, "cn_date")
    app.add_template_filter(days_phrase, "days_phrase")
    app.jinja_env.globals["url_for"] = fast_url_for  # the same URLs, built faster (web/fast_urls.py)
    app.jinja_env.globals["url_stem"] = url_stem  # a row link's URL without its id: the stem, then the id
    app.jinja_env.globals["url_around"] = url_around  # the same for a route that goes on after the id
    status_markup.init_app(app)  # light_html, status_html …: the status macros' HTML, kept per look

    @app.context_processor
    def _globals() -> dict[str, object]:
        from tasktrack import context

        return {
            # The real user object, not the proxy: a page asks for every row (~150 on 我的任务), and each
            # attribute read through the proxy costs a context lookup.
            "can": lambda action, obj=None: can(current_user._get_current_object(), Action(action), obj),
            "today": context.today(),
            "pinned_today": app.config.get("PINNED_TODAY"),
        }
