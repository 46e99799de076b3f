"""The secretariat's administration: accounts and units."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import Role, Unit, UnitKind, User
from tasktrack.permissions import Action
from tasktrack.security import rerender_on_csrf_error
from tasktrack.services import ServiceError, units, users
from tasktrack.web.guards import guard_blueprint
from tasktrack.web.secretariat.forms import ConfirmForm, PasswordResetForm, UnitForm, UserForm

bp = Blueprint("secretariat", __name__, url_prefix="/admin")
guard_blueprint(bp, Action.ADMIN)


def _apply_error(form: object, exc: ServiceError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
    else:
        flash(exc.message, "danger")


def _unit_choices(form: UserForm) -> None:
    form.unit_id.choices = [(0, "（无）")] + [(u.id, u.name) for u in units.list_units() if u.is_active]


@bp.route("/users")
def user_list() -> str:
    """List the accounts."""
    return render_template("secretariat/users.html", users=users.list_users(), confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@rerender_on_csrf_error
def user_new() -> str | Response:
    """Create an account."""
    form = UserForm()
    _unit_choices(form)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        if not form.password.data:
            form.password.errors = ["请为新账号设置初始密码"]
        else:
            try:
                user = users.create_user(actor=current_user, email=form.email.data or "", name=form.name.data or "",
                                         role=Role(form.role.data), unit=unit, password=form.password.data,
                                         phone=form.phone.data, now=context.now(), fast_hash=context.fast_hash())
            except ServiceError as exc:
                db.session.rollback()
                _apply_error(form, exc)
            else:
                db.session.commit()
                flash(f"已创建账号 {user.email}", "success")
                return redirect(url_for("secretariat.user_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("secretariat/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@rerender_on_csrf_error
def user_edit(user_id: int) -> str | Response:
    """Edit an account's name, role, unit and phone."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.role.data, form.unit_id.data = user.role.value, user.unit_id or 0
    _unit_choices(form)
    form.email.data = user.email  # the login name does not change
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
        try:
            users.update_user(user, actor=current_user, name=form.name.data or "", role=Role(form.role.data),
                              unit=unit, phone=form.phone.data, now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(f"已保存账号 {user.email}", "success")
            return redirect(url_for("secretariat.user_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("secretariat/user_form.html", form=form, user=user,
                           reset=PasswordResetForm()), status


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id: int) -> Response:
    """Deactivate or reactivate an account."""
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            users.set_active(user, actor=current_user, active=active, now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"已{'启用' if active else '停用'}账号 {user.email}", "success")
    return redirect(url_for("secretariat.user_list"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_reset_password(user_id: int) -> Response | tuple[str, int]:
    """Set a new password for an account: its sessions end, its API tokens and calendar address are revoked."""
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    if reset.validate_on_submit():
        try:
            change = users.set_password(user, actor=current_user, password=reset.password.data or "",
                                        now=context.now(), fast_hash=context.fast_hash())
        except ServiceError as exc:
            db.session.rollback()
            reset.password.errors = [exc.message]
        else:
            db.session.commit()
            if user.id == current_user.id:
                login_user(user, remember=False)  # one's own reset keeps this session
            feed = "，日历订阅地址已失效" if change.calendar_revoked else ""
            flash(f"已重置 {user.email} 的密码：其原有登录已全部退出，吊销 {change.tokens_revoked} 个 API 令牌{feed}。"
                  "请通过电话等方式告知本人。", "success")
            return redirect(url_for("secretariat.user_edit", user_id=user.id))
    # The error stays on the password field of the page it came from.
    form = UserForm(obj=user)
    form.role.data, form.unit_id.data = user.role.value, user.unit_id or 0
    _unit_choices(form)
    return render_template("secretariat/user_form.html", form=form, user=user, reset=reset), 400


@bp.route("/units")
def unit_list() -> str:
    """List the units with their categories and contacts."""
    return render_template("secretariat/units.html", units=units.list_units())


def _unit_form_choices(form: UnitForm, unit: Unit | None) -> None:
    form.categories.choices = [(c.id, c.name) for c in units.list_categories()]
    form.parent_id.choices = [(0, "（无）")] + [
        (u.id, u.name) for u in units.list_units() if u.kind is UnitKind.CITY and u is not unit
    ]


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@rerender_on_csrf_error
def unit_edit(unit_id: int | None) -> str | Response:
    """Create or edit a unit; a change of categories assigns or closes tasks."""
    unit = db.get_or_404(Unit, unit_id) if unit_id is not None else None
    form = UnitForm(obj=unit) if (request.method == "GET" and unit) else UnitForm()
    _unit_form_choices(form, unit)
    if request.method == "GET" and unit is not None:
        form.kind.data = unit.kind.value
        form.categories.data = [c.id for c in unit.categories]
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit():
        chosen = [c for c in units.list_categories() if c.id in set(form.categories.data or [])]
        try:
            saved, sync = units.save_unit(
                unit, actor=current_user, name=form.name.data or "", kind=UnitKind(form.kind.data),
                categories=chosen, contact_emails=form.contact_emails.data or "",
                leader_email=form.leader_email.data, is_active=bool(form.is_active.data),
                parent=db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None,
                now=context.now(),
            )
        except ServiceError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            message = f"已保存单位 {saved.name}"
            if sync.opened or sync.reopened:
                message += f"，新分配任务 {len(sync.opened) + len(sync.reopened)} 项"
            if sync.closed:
                message += f"，结束任务 {len(sync.closed)} 项（历史保留）"
            flash(message, "success")
            return redirect(url_for("secretariat.unit_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("secretariat/unit_form.html", form=form, unit=unit), status
