"""A unit user's weekly digest: its weekday, or paused."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.services import digests
from tasktrack.settings import settings
from tasktrack.web import forms
from tasktrack.web.forms import done, form_view
from tasktrack.web.liaison import bp
from tasktrack.web.liaison.forms import DigestPreferenceForm


@bp.route("/my/digest/", methods=["GET", "POST"])
@form_view
def digest_settings() -> ResponseReturnValue:
    """Choose the weekday of the weekly digest, or pause it."""
    weekday, paused = digests.preference(current_user, default_weekday=settings().digest_weekday)
    form = DigestPreferenceForm() if request.method == "POST" else DigestPreferenceForm(weekday=weekday,
                                                                                         paused=paused)
    return forms.handle(
        form, lambda: digests.set_preference(current_user, weekday=form.weekday.data, paused=form.paused.data,
                                             now=context.now()),
        success=lambda _r: done("已保存每周摘要设置", url_for("liaison.digest_settings")),
        render=lambda: render_template("reminders/digest_settings.html", form=form))
