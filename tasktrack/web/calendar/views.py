"""Calendar subscription: each user's secret iCalendar feed address, shown and regenerated on a page.

The feed itself needs no sign-in (calendar clients cannot log in): the long random token in the URL is the
secret, only its hash is stored, and an unknown token answers 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField

from tasktrack import context, db_engine
from tasktrack.domain import ical
from tasktrack.extensions import db
from tasktrack.permissions import Action
from tasktrack.services import calendar
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("calendar", __name__)
guard_blueprint(bp, Action.VIEW_PLAN)
feed_bp = Blueprint("calendar_feed", __name__)


class RegenerateForm(FlaskForm):
    """Create or replace the feed address."""

    submit = SubmitField("生成新的订阅地址")


@bp.route("/account/calendar", methods=["GET", "POST"])
def settings() -> str:
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


@feed_bp.route("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """Serve the deadlines of the token owner's unit (or of the whole plan) as iCalendar text."""
    if len(token) > 100:
        abort(404)
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    now = context.now()
    events = calendar.feed_events(user, url_for_task=lambda task_id: url_for("plans.task", task_id=task_id,
                                                                             _external=True))
    name = f"{user.unit.name}任务截止日期" if user.unit else "清廉社会组织建设任务截止日期"
    body = ical.calendar(events, name=name, stamp=now)
    token_id = calendar.token_to_stamp(user, now=now)
    if token_id is not None:
        # Its own write transaction after the reads: a GET must not upgrade its read transaction (SQLite, WAL).
        db_engine.write_apart(db.session, lambda: calendar.stamp(token_id, now=now))
    response = Response(body.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
