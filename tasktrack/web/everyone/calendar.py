"""One's own account settings: the secret iCalendar feed address (shown and regenerated on a page) and
one's own DingTalk group robot.

The feed itself needs no sign-in and is its own blueprint (web/calendar_feed.py)."""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.services import calendar
from tasktrack.web.everyone import bp
from tasktrack.web.forms import form_view
from tasktrack.web.robot_pages import robot_page


class RegenerateForm(FlaskForm):
    """Create or replace the feed address."""

    submit = SubmitField("生成新的订阅地址")


@bp.route("/account/calendar", methods=["GET", "POST"])
def calendar_settings() -> str:
    """Explain the calendar feed; on POST make a new secret address (the old one stops working) and show it.

    The form has nothing typed to keep, so a bad CSRF token gets the app's plain 400 page.
    """
    form = RegenerateForm()
    feed_url = None
    if form.validate_on_submit():
        token = calendar.issue_token(current_user, now=context.now())
        db.session.commit()
        feed_url = url_for("calendar_feed.feed", token=token, _external=True)
    row = calendar.has_token(current_user)
    return render_template("calendar/settings.html", form=form, feed_url=feed_url, row=row)


@bp.route("/account/dingtalk", methods=["GET", "POST"])
@form_view
def robot_settings() -> ResponseReturnValue:
    """Set, replace or clear one's own DingTalk group robot (one's weekly digest goes there too)."""
    here = url_for("everyone.robot_settings")
    return robot_page(current_user._get_current_object(), back=here, here=here, crumbs=[])
