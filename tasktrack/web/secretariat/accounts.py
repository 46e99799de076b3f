"""The secretariat's administration: accounts and units — of its own work group only (DESIGN §1, issue 12).

A secretariat lists, creates and edits its own work group's accounts and units; new ones join its work group; an
account or unit of another work group is 404 (web/loaders.py), even one below it that it reads elsewhere."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import Role, Unit, UnitKind, User
from tasktrack.services import ServiceError, units, users
from tasktrack.services.assignments import SyncResult
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.robot_pages import robot_page
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.forms import ConfirmForm, PasswordResetForm, UnitForm, UserForm


def _own_units() -> list[Unit]:
    return units.list_units(current_user.work_group_id)


def _unit_choices(form: UserForm) -> None:
    form.unit_id.choices = [(0, "（无）")] + [(u.id, u.name) for u in _own_units() if u.is_active]


@bp.route("/admin/users")
def user_list() -> str:
    """List the accounts."""
    return render_template("secretariat/users.html", users=users.list_users(current_user.work_group_id),
                           confirm=ConfirmForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@form_view
def user_new() -> ResponseReturnValue:
    """Create an account."""
    form = UserForm()
    _unit_choices(form)

    def create() -> User:
        if not form.password.data:
            raise ServiceError("请为新账号设置初始密码", field="password")
        return users.create_user(actor=current_user, email=form.email.data or "", name=form.name.data or "",
                                 role=Role(form.role.data), unit=_unit_of(form), password=form.password.data,
                                 phone=form.phone.data, now=context.now(), fast_hash=context.fast_hash())

    return forms.handle(
        form, create, success=lambda user: done(f"已创建账号 {user.email}", url_for("secretariat.user_list")),
        render=lambda: render_template("secretariat/user_form.html", form=form, user=None))


def _unit_of(form: UserForm) -> Unit | None:
    # The choices are the work group's own units (a forged id of another's is refused by the form).
    return db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@form_view
def user_edit(user_id: int) -> ResponseReturnValue:
    """Edit an account's name, role, unit and phone."""
    user = loaders.administered_user(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.role.data, form.unit_id.data = user.role.value, user.unit_id or 0
    _unit_choices(form)
    form.email.data = user.email  # the login name does not change
    return forms.handle(
        form, lambda: users.update_user(user, actor=current_user, name=form.name.data or "",
                                        role=Role(form.role.data), unit=_unit_of(form), phone=form.phone.data,
                                        now=context.now()),
        success=lambda _r: done(f"已保存账号 {user.email}", url_for("secretariat.user_list")),
        render=lambda: render_template("secretariat/user_form.html", form=form, user=user, reset=PasswordResetForm()))


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account."""
    user = loaders.administered_user(user_id)
    active = request.form.get("active") == "1"
    back = url_for("secretariat.user_list")
    return forms.handle(
        ConfirmForm(), lambda: users.set_active(user, actor=current_user, active=active, now=context.now()),
        success=lambda _r: done(f"已{'启用' if active else '停用'}账号 {user.email}", back), back=back)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
def user_reset_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for an account: its sessions end, its API tokens and calendar address are revoked."""
    user = loaders.administered_user(user_id)
    reset = PasswordResetForm()

    def reset_done(change: users.PasswordChange) -> Response:
        if user.id == current_user.id:
            login_user(user, remember=False)  # one's own reset keeps this session
        feed = "，日历订阅地址已失效" if change.calendar_revoked else ""
        return done(f"已重置 {user.email} 的密码：其原有登录已全部退出，"
                    f"吊销 {change.tokens_revoked} 个 API 令牌{feed}。请通过电话等方式告知本人。",
                    url_for("secretariat.user_edit", user_id=user.id))

    def page() -> str:  # the error stays on the password field of the page it came from
        form = UserForm(obj=user)
        form.role.data, form.unit_id.data = user.role.value, user.unit_id or 0
        _unit_choices(form)
        return render_template("secretariat/user_form.html", form=form, user=user, reset=reset)

    return forms.handle(
        reset, lambda: users.set_password(user, actor=current_user, password=reset.password.data or "",
                                          now=context.now(), fast_hash=context.fast_hash()),
        success=reset_done, render=page, fallback="password")


@bp.route("/admin/units")
def unit_list() -> str:
    """List the units with their categories and contacts."""
    return render_template("secretariat/units.html", units=_own_units())


def _unit_form_choices(form: UnitForm, unit: Unit | None) -> None:
    form.categories.choices = [(c.id, c.name) for c in units.list_categories(current_user.work_group_id)]
    form.parent_id.choices = [(0, "（无）")] + [
        (u.id, u.name) for u in _own_units() if u.kind is UnitKind.CITY and u is not unit
    ]


@bp.route("/admin/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/admin/units/<int:unit_id>/edit", methods=["GET", "POST"])
@form_view
def unit_edit(unit_id: int | None) -> ResponseReturnValue:
    """Create or edit a unit; a change of categories assigns or closes tasks."""
    unit = loaders.administered_unit(unit_id) if unit_id is not None else None
    form = UnitForm(obj=unit) if (request.method == "GET" and unit) else UnitForm()
    _unit_form_choices(form, unit)
    if request.method == "GET" and unit is not None:
        form.kind.data = unit.kind.value
        form.categories.data = [c.id for c in unit.categories]
        form.parent_id.data = unit.parent_id or 0

    def save() -> tuple[Unit, SyncResult]:
        chosen = [c for c in units.list_categories(current_user.work_group_id)
                  if c.id in set(form.categories.data or [])]
        return units.save_unit(
            unit, actor=current_user, name=form.name.data or "", kind=UnitKind(form.kind.data),
            categories=chosen, contact_emails=form.contact_emails.data or "",
            leader_email=form.leader_email.data, is_active=bool(form.is_active.data),
            parent=db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None,
            work_group=current_user.work_group, now=context.now(),
        )

    def saved(result: tuple[Unit, SyncResult]) -> Response:
        saved, sync = result
        message = f"已保存单位 {saved.name}"
        if sync.opened or sync.reopened:
            message += f"，新分配任务 {len(sync.opened) + len(sync.reopened)} 项"
        if sync.closed:
            message += f"，结束任务 {len(sync.closed)} 项（历史保留）"
        return done(message, url_for("secretariat.unit_list"))

    return forms.handle(form, save, success=saved,
                        render=lambda: render_template("secretariat/unit_form.html", form=form, unit=unit))


@bp.route("/admin/units/<int:unit_id>/dingtalk", methods=["GET", "POST"])
@form_view
def unit_robot(unit_id: int) -> ResponseReturnValue:
    """Set, replace or clear a unit's DingTalk group robot (its reminders and urging go there too)."""
    unit = loaders.administered_unit(unit_id)
    return robot_page(unit, back=url_for("secretariat.unit_edit", unit_id=unit.id),
                      here=url_for("secretariat.unit_robot", unit_id=unit.id),
                      crumbs=[("单位管理", url_for("secretariat.unit_list")),
                              (unit.name, url_for("secretariat.unit_edit", unit_id=unit.id))])
