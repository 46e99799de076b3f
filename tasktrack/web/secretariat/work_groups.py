"""The work-group tree (工作专班): the caller's subtree with counts and lights, a lower group, reminder windows.

A secretariat administers its own work group: it creates the groups one level below it (with the unit that stands
for each in its own plans, and the new group's first secretariat account) and sets its own reminder windows; it
reads every group below it.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.extensions import db
from tasktrack.models import Role, WorkGroup, WorkGroupLevel
from tasktrack.permissions import Action, require
from tasktrack.services import users, work_group_admin
from tasktrack.services.read import levels
from tasktrack.services.work_groups import home_work_group
from tasktrack.settings import settings
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.page_cache import cached
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.work_group_forms import ReminderWindowsForm, WorkGroupForm


@cached(scopes=lambda home_id: Page("group", home_id))
def _tree(home_id: int) -> str:
    """The tree with each group's counts and lights, rendered once per data version (the reader's work group is
    in the key: page_cache.reader_key)."""
    home = db.session.get(WorkGroup, home_id)
    assert home is not None
    nodes = work_group_admin.tree(home)
    stats = {s.group.id: s for s in levels.group_stats([n.group for n in nodes], context.today(), details=True)}
    return render_template("work_groups/_tree.html", nodes=nodes, stats=stats)


def _page(create: WorkGroupForm | None = None, windows: ReminderWindowsForm | None = None) -> str:
    home = home_work_group(current_user)
    defaults = settings().reminders
    if windows is None:
        windows = ReminderWindowsForm(data={
            "due_soon_days": home.reminder_due_soon_days, "overdue_repeat_days": home.reminder_overdue_repeat_days,
            "supervision_after_days": home.reminder_supervision_after_days,
            "period_grace_days": home.reminder_period_grace_days})
    child_level = work_group_admin.CHILD_LEVEL[home.level]
    return render_template("work_groups/index.html", home=home, tree=_tree(home.id), child_level=child_level,
                           create=create or WorkGroupForm(), windows=windows, defaults=defaults,
                           effective=work_group_admin.reminder_settings(home, defaults))


@bp.route("/work-groups")
def work_group_tree() -> str:
    """Show the caller's work group and every group below it, with accounts, plans, counts and lights."""
    return _page()


@bp.route("/work-groups/<int:group_id>")
def work_group(group_id: int) -> Response:
    """Open a group's 督办总览 (a group of the caller's subtree; 404 otherwise)."""
    group = loaders.work_group(group_id)
    return redirect(url_for("everyone.dashboard", group=group.id))


@bp.route("/work-groups/new", methods=["POST"])
@form_view
def work_group_new() -> ResponseReturnValue:
    """Create a work group one level below the caller's, with its representing unit and first secretariat."""
    home = home_work_group(current_user)
    require(current_user, Action.ADMIN, home)
    form = WorkGroupForm()

    def create() -> WorkGroup:
        # A county has no level below it: the service refuses it with its own message.
        level = work_group_admin.CHILD_LEVEL[home.level] or WorkGroupLevel.COUNTY
        now = context.now()
        group = work_group_admin.create_work_group(current_user, name=form.name.data or "", level=level,
                                                   parent=home, unit_name=form.unit_name.data, now=now)
        users.create_user(actor=current_user, email=form.email.data or "", name=form.account_name.data or "",
                          role=Role.SECRETARIAT, unit=None, work_group=group, password=form.password.data or "",
                          now=now, fast_hash=context.fast_hash())
        return group

    back = url_for("secretariat.work_group_tree")
    return forms.handle(form, create, success=lambda g: done(f"已新建{g.label}及其专班办公室账号", back),
                        render=lambda: _page(create=form))


@bp.route("/work-groups/reminders", methods=["POST"])
@form_view
def work_group_reminders() -> ResponseReturnValue:
    """Set the caller's work group's own reminder windows (empty fields: the system's settings)."""
    home = home_work_group(current_user)
    require(current_user, Action.ADMIN, home)
    form = ReminderWindowsForm()
    return forms.handle(
        form, lambda: work_group_admin.set_reminder_windows(
            home, actor=current_user, due_soon_days=form.due_soon_days.data,
            overdue_repeat_days=form.overdue_repeat_days.data, supervision_after_days=form.supervision_after_days.data,
            period_grace_days=form.period_grace_days.data, now=context.now()),
        success=lambda _g: done("已保存本专班的提醒设置", url_for("secretariat.work_group_tree") + "#reminders"),
        render=lambda: _page(windows=form))
