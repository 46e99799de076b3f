"""交办事项 and 联络员会议 pages everyone signed in reaches: the lists and the detail pages.

What each user reads is the policy's (Action.VIEW_MATTER / VIEW_MEETING: the secretariat and leaders of the tree,
the units a matter is assigned to, the units invited to a meeting). The secretariat's forms are on these pages
and post to its own blueprint (web/secretariat/matters.py), which re-renders them here with the errors.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from tasktrack import context
from tasktrack.models import Matter, MatterSource, Meeting
from tasktrack.permissions import Action, can
from tasktrack.services import ServiceError, matters, meetings
from tasktrack.services.work_groups import home_work_group
from tasktrack.web import loaders
from tasktrack.web.everyone import bp
from tasktrack.web.secretariat.matter_forms import DecisionForm, MatterForm, MeetingForm, MinutesForm


def _unit_choices() -> list[tuple[str, str]]:
    return [(str(u.id), u.name) for u in meetings.invitable_units(home_work_group(current_user))]


def render_list(form: MatterForm | None = None) -> str:
    """Render the 交办事项 list (filters ?source= and ?state=) with the new-matter form for the secretariat."""
    source_raw, state_raw = request.args.get("source", ""), request.args.get("state", "")
    try:
        source = matters.parse_source(source_raw) if source_raw else None
        state = matters.parse_state(state_raw)
    except ServiceError:
        source, state = None, None
    rows = matters.list_matters(current_user, context.today(), source=source, state=state)
    may_record = can(current_user, Action.ADMIN)
    return render_template("matters/list.html", rows=rows, sources=list(MatterSource), source=source, state=state,
                           states=matters.STATES, form=form or (MatterForm(formdata=None) if may_record else None))


@bp.route("/matters")
def matter_list() -> str:
    """List the 交办事项 the user reads, with their lights."""
    return render_list()


def render_matter(m: Matter, form: MatterForm | None = None) -> str:
    """Render a matter's page: source, reference, meeting, its assignments with lights, the edit form."""
    editable = can(current_user, Action.ADMIN, m) and not matters.has_reports(m)
    if editable and form is None:
        form = MatterForm(formdata=None, source=m.source.value, reference=m.reference, text=m.task.text,
                          deadline_phrase=m.task.deadline_phrase, responsible_phrase=m.task.responsible_phrase)
    return render_template("matters/detail.html", m=m, r=matters.matter_row(m, context.today()),
                           form=form if editable else None)


@bp.route("/matters/<int:matter_id>")
def matter_detail(matter_id: int) -> str:
    """Show one 交办事项."""
    return render_matter(loaders.matter(matter_id))


def render_meetings(form: MeetingForm | None = None) -> str:
    """Render the meetings list with the new-meeting form for the secretariat."""
    may_record = can(current_user, Action.ADMIN)
    if may_record:
        form = form or MeetingForm(formdata=None, held_on=context.today().isoformat())
        form.invited.choices = _unit_choices()
    return render_template("meetings/list.html", meetings=meetings.list_meetings(current_user),
                           form=form if may_record else None)


@bp.route("/meetings")
def meeting_list() -> str:
    """List the 联络员会议 the user reads."""
    return render_meetings()


def render_meeting(meeting: Meeting, *, minutes: MinutesForm | None = None,
                   decision: DecisionForm | None = None) -> str:
    """Render a meeting: date, place, agenda, invited and present units, minutes, decisions and the forms."""
    administers = can(current_user, Action.ADMIN, meeting)
    if administers:
        minutes = minutes or MinutesForm(formdata=None, minutes=meeting.minutes,
                                         present=[str(u.id) for u in meeting.present])
        minutes.present.choices = [(str(u.id), u.name) for u in meeting.invited]
        decision = decision or DecisionForm(formdata=None)
    today = context.today()
    return render_template("meetings/detail.html", meeting=meeting,
                           decisions=[matters.matter_row(m, today) for m in meeting.matters],
                           minutes=minutes if administers else None, decision=decision if administers else None)


@bp.route("/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int) -> str:
    """Show one 联络员会议."""
    return render_meeting(loaders.meeting(meeting_id))
