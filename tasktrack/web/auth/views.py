"""Sign in, sign out, change one's own password."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.security import is_safe_next
from tasktrack.services import ServiceError, auth, users
from tasktrack.settings import settings
from tasktrack.web import forms
from tasktrack.web.auth.forms import ChangePasswordForm, LoginForm
from tasktrack.web.forms import done, form_view

bp = Blueprint("auth", __name__)


def home_for(user: object) -> str:
    """Return the start page of a user's role."""
    return url_for("everyone.home")


@bp.route("/login", methods=["GET", "POST"])
@form_view
def login() -> Response:
    """Show the sign-in form and sign in."""
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else home_for(current_user))
    form = LoginForm()
    status, retry_after = 200, 0
    if form.validate_on_submit():
        result = auth.authenticate(
            form.email.data or "", form.password.data or "", address=request.remote_addr, now=context.now(),
            policy=settings().throttle, fast_hash=context.fast_hash(),
        )
        db.session.commit()
        if result.user is not None:
            session.clear()  # no fixation: a fresh session for the signed-in user (R21)
            login_user(result.user, remember=bool(form.remember.data))
            session.permanent = True
            return redirect(next_url if is_safe_next(next_url) else home_for(result.user))
        flash(result.error or "登录失败", "danger")
        status, retry_after = (429, result.retry_after) if result.retry_after else (401, 0)
    elif request.method == "POST":
        status = 400
        if forms.csrf_failed(form):
            flash(forms.CSRF_MESSAGE, "danger")
    response = make_response(render_template("auth/login.html", form=form), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Sign out everywhere: the session token rotates, so old cookies stop working (R9)."""
    users.end_sessions(current_user, now=context.now())
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@form_view
def change_password() -> ResponseReturnValue:
    """Change one's own password (ends other sessions)."""
    form = ChangePasswordForm()

    def change() -> users.PasswordChange:
        checked = auth.confirm_password(
            current_user, form.current.data or "", address=request.remote_addr, now=context.now(),
            policy=settings().throttle, fast_hash=context.fast_hash(),
        )
        db.session.commit()  # a wrong current password counts like a failed sign-in, whatever follows
        if checked.user is None:
            raise ServiceError(checked.error or "当前密码不正确", field="current")
        return users.set_password(current_user, actor=current_user, password=form.new.data or "",
                                  now=context.now(), fast_hash=context.fast_hash())

    def changed(result: users.PasswordChange) -> Response:
        login_user(current_user, remember=False)  # this session carries the new token
        return done(f"密码已修改。{ended_message(result)}", url_for("everyone.home"))

    return forms.handle(form, change, success=changed, fallback="new",
                        render=lambda: render_template("auth/password.html", form=form))


def ended_message(change: users.PasswordChange) -> str:
    """Say what a new password ended: other sign-ins, API tokens, the calendar address."""
    message = f"已退出其他登录并吊销 {change.tokens_revoked} 个 API 令牌"
    if change.calendar_revoked:
        message += "；日历订阅地址已失效，如需要请在“日历订阅”页重新生成"
    return message + "。"
