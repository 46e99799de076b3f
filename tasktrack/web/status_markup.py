"""The badges a long list repeats on every row, rendered by their own macros once per distinct look.

我的任务 and the assignment lists show a light, a status, a deadline, the 签收 state and the review markers on each of
their rows (a unit's hundred and fifty, a list's twenty-five): a Jinja macro call per badge per row was a good part
of the page. A badge is a pure function of a few values (a light and its reason; a status and its percent; a
deadline phrase, kind and date …), so here each macro of ``_macros/status.html`` and ``_macros/progress.html`` is
called as it always was, the first time a look is met, and its HTML is kept under the values it reads: the same
markup, byte for byte (the macros stay the one place a badge is written), without the macro machinery per row.

The key is every value the macro reads (user text such as a 承办人's name included, escaped by the macro itself), so a
kept badge is exactly what the macro would render for those values now: nothing here can go stale. The store is
per app and bounded (emptied when it reaches :data:`LIMIT` looks). Templates call these as ``light_html(r.light)``,
``status_html(a)`` …; a macro that writes a form (the reader's own CSRF token) is never kept.

A plan selector's options (``plan_options_html``, of ``_macros/plans.html``) are kept the same way, in a smaller
store of their own (:data:`LIMIT_LISTS`): 督办总览 and the assignment list offer every plan of the reader's work
groups, a hundred options (four hundred escapes) on every request of a province's pages.

With template auto-reload on (development: ``flask run --debug`` or ``TEMPLATES_AUTO_RELOAD``), an edited macro file
is a new template to Jinja, and the looks kept from the old one are forgotten at the next badge, as a page's own
template would be reloaded; with it off (production) templates never change under a running app.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from flask import Flask
from jinja2 import Template
from markupsafe import Markup

#: How many looks an app keeps before it starts again (each a few hundred bytes).
LIMIT = 20_000
#: How many plan selectors' option lists (a look each: a work group's plans and the one selected, up to a few KB).
LIMIT_LISTS = 512


class Badges:
    """One app's kept badges: each method renders its macro of the app's templates once per look."""

    def __init__(self, app: Flask) -> None:
        self._env = app.jinja_env
        self._store: dict[Hashable, Markup] = {}
        self._lists: dict[Hashable, Markup] = {}
        #: With auto-reload on: the template object each macro file was last read as (a new one when edited).
        self._loaded: dict[str, Template] = {}

    def _forget_if_edited(self, template: str) -> None:
        """Forget every kept look when a macro file has been edited since its looks were made (auto-reload only)."""
        loaded = self._env.get_template(template)  # Jinja reloads it here if its file changed
        if self._loaded.get(template) is not loaded:
            if template in self._loaded:
                self._store.clear()
                self._lists.clear()
            self._loaded[template] = loaded

    def _render(self, template: str, name: str, key: Hashable, args: tuple[Any, ...], *, lists: bool = False) -> Markup:
        """Return the macro's HTML for ``args``, kept under ``key`` (every value the macro reads of them); ``lists``:
        in the smaller store of option lists."""
        if self._env.auto_reload:
            self._forget_if_edited(template)
        store, limit = (self._lists, LIMIT_LISTS) if lists else (self._store, LIMIT)
        full = (name, key)
        html = store.get(full)
        if html is None:
            if len(store) >= limit:
                store.clear()
            macro: Callable[..., Markup] = getattr(self._env.get_template(template).module, name)
            html = store[full] = macro(*args)
        return html

    def light_html(self, result: Any) -> Markup:
        """``light(result)`` of _macros/status.html: the light badge (or — without a light)."""
        key = (result.light, result.reason) if result else None
        return self._render("_macros/status.html", "light", key, (result,))

    def light_badge_html(self, color: Any) -> Markup:
        """``light_badge(color)`` of _macros/status.html."""
        return self._render("_macros/status.html", "light_badge", color, (color,))

    def status_html(self, a: Any) -> Markup:
        """``status(a)`` of _macros/status.html: the status and, unless completed, the percent."""
        return self._render("_macros/status.html", "status", (a.status, a.percent), (a,))

    def deadline_html(self, task: Any) -> Markup:
        """``deadline(task)`` of _macros/status.html: the phrase as written and its date."""
        key = (task.deadline_phrase, task.deadline_kind, task.due_date)
        return self._render("_macros/status.html", "deadline", key, (task,))

    def acknowledgement_html(self, a: Any) -> Markup:
        """``acknowledgement(a)`` of _macros/status.html: 待签收, or 已签收 with its day and 承办人 (nothing when
        closed)."""
        key = (a.acknowledged_at, a.handler_name, a.handler_phone) if a.closed_at is None else "closed"
        return self._render("_macros/status.html", "acknowledgement", key, (a,))

    def due_html(self, a: Any) -> Markup:
        """``due(a)`` of _macros/progress.html: the due date, or the extension with the date it replaced."""
        return self._render("_macros/progress.html", "due", (a.extended_due, a.task.due_date), (a,))

    def markers_html(self, a: Any, light: Any = None, extension_pending: bool = False) -> Markup:
        """``markers(a, light, extension_pending)`` of _macros/progress.html: the review and deadline markers."""
        key = (a.completion_state, bool(light) and light.reason.value == "stale", bool(a.extended_due),
               bool(extension_pending))
        return self._render("_macros/progress.html", "markers", key, (a, light, extension_pending))

    def plan_options_html(self, plans: Sequence[Any], selected: int | None = None, width: int = 0) -> Markup:
        """``plan_options(plans, selected, width)`` of _macros/plans.html: a plan selector's options (督办总览 and
        the assignment list offer every plan of the reader's work groups, a hundred on a province's)."""
        key = (tuple((p.id, p.year, p.title) for p in plans), selected, width)
        return self._render("_macros/plans.html", "plan_options", key, (plans, selected, width), lists=True)


#: The template globals, one per kept macro.
HELPERS = ("light_html", "light_badge_html", "status_html", "deadline_html", "acknowledgement_html", "due_html",
           "markers_html", "plan_options_html")


def init_app(app: Flask) -> None:
    """Give the templates the kept badges (``light_html`` …) beside the macros themselves."""
    badges = app.extensions["tasktrack_status_markup"] = Badges(app)
    for name in HELPERS:
        app.jinja_env.globals[name] = getattr(badges, name)
