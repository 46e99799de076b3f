"""The iCalendar feed, reached without signing in (calendar clients cannot log in): its own tiny blueprint, no
guard. The long random token in the URL is the secret, only its hash is stored, and an unknown token answers 404.
The page that shows and regenerates the address is everyone's (web/everyone/calendar.py)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, url_for

from tasktrack import context, db_engine
from tasktrack.domain import ical
from tasktrack.extensions import db
from tasktrack.services import calendar

bp = Blueprint("calendar_feed", __name__)


@bp.route("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """Serve the deadlines of the token owner's unit (or of the whole plan) as iCalendar text."""
    if len(token) > 100:
        abort(404)
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    now = context.now()
    events = calendar.feed_events(user, url_for_task=lambda task_id: url_for("everyone.task", task_id=task_id,
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
