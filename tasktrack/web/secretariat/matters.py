"""The secretariat's writes of 交办事项 and 联络员会议: record and edit a matter, record a meeting (its notice goes to
the invited units through the outbox), its minutes and attendance, and turn a decision into a matter in one step.

Each is one service call through ``forms.handle``; a refusal re-shows the page (web/everyone/matters.py) with the
message on its field and nothing written. The object's own work group's secretariat only (Action.ADMIN on it).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.permissions import Action
from tasktrack.services import ServiceError, matters, meetings
from tasktrack.services.work_groups import home_work_group
from tasktrack.settings import settings
from tasktrack.web import forms, loaders
from tasktrack.web.everyone.matters import render_list, render_matter, render_meeting, render_meetings
from tasktrack.web.forms import done, form_view
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.matter_forms import DecisionForm, MatterForm, MeetingForm, MinutesForm


def _ids(values: list[str] | None, *, field: str) -> list[int]:
    ids = [parse_id(v) for v in values or []]
    if any(i is None for i in ids):
        raise ServiceError("所选单位不存在或不属于本专班", field=field)
    return [i for i in ids if i is not None]


@bp.route("/matters", methods=["POST"])
@form_view
def matter_create() -> Any:
    """Record a 交办事项 of the secretariat's work group and open its assignments."""
    form = MatterForm()
    return forms.handle(
        form, lambda: matters.create_matter(
            home_work_group(current_user), source=matters.parse_source(form.source.data),
            reference=form.reference.data or "", text=form.text.data or "",
            deadline_phrase=form.deadline_phrase.data or "", responsible_phrase=form.responsible_phrase.data or "",
            actor=current_user, now=context.now()),
        success=lambda m: done(f"已登记交办事项 {m.task.number}，已分配给责任单位",
                               url_for("everyone.matter_detail", matter_id=m.id)),
        render=lambda: render_list(form), fallback="text")


@bp.route("/matters/<int:matter_id>/edit", methods=["POST"])
@form_view
def matter_edit(matter_id: int) -> Any:
    """Change a matter's reference, text, deadline and owners before any unit reported."""
    m = loaders.matter(matter_id, Action.ADMIN)
    form = MatterForm()
    return forms.handle(
        form, lambda: matters.edit_matter(
            m, reference=form.reference.data or "", text=form.text.data or "",
            deadline_phrase=form.deadline_phrase.data or "", responsible_phrase=form.responsible_phrase.data or "",
            actor=current_user, now=context.now()),
        success=lambda changed: done("已保存修改" if changed else "没有修改",
                                     url_for("everyone.matter_detail", matter_id=m.id)),
        render=lambda: render_matter(m, form), fallback="text")


@bp.route("/meetings", methods=["POST"])
@form_view
def meeting_create() -> Any:
    """Record a 联络员会议 and queue its notice to the invited units."""
    form = MeetingForm()
    return forms.handle(
        form, lambda: meetings.create_meeting(
            home_work_group(current_user), title=form.title.data or "", held_on=form.held_on.data or "",
            place=form.place.data or "", agenda=form.agenda.data or "",
            invited=_ids(form.invited.data, field="invited"), actor=current_user, now=context.now(),
            base_url=settings().base_url),
        success=lambda meeting: done(f"已登记会议，会议通知已发往 {len(meeting.invited)} 个单位",
                                     url_for("everyone.meeting_detail", meeting_id=meeting.id)),
        render=lambda: render_meetings(form), fallback="title")


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
@form_view
def meeting_minutes(meeting_id: int) -> Any:
    """Record the minutes and the units present."""
    meeting = loaders.meeting(meeting_id, Action.ADMIN)
    form = MinutesForm()
    return forms.handle(
        form, lambda: meetings.record_minutes(meeting, minutes=form.minutes.data or "",
                                              present=_ids(form.present.data, field="present"),
                                              actor=current_user, now=context.now()),
        success=lambda _r: done("已保存会议纪要和出席情况", url_for("everyone.meeting_detail", meeting_id=meeting.id)),
        render=lambda: render_meeting(meeting, minutes=form), fallback="minutes")


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
@form_view
def meeting_decision(meeting_id: int) -> Any:
    """Turn a decision (议定事项) into a 交办事项 linked to the meeting."""
    meeting = loaders.meeting(meeting_id, Action.ADMIN)
    form = DecisionForm()
    return forms.handle(
        form, lambda: meetings.add_decision(meeting, text=form.text.data or "",
                                            deadline_phrase=form.deadline_phrase.data or "",
                                            responsible_phrase=form.responsible_phrase.data or "",
                                            actor=current_user, now=context.now()),
        success=lambda m: done(f"议定事项已转为交办事项 {m.task.number}",
                               url_for("everyone.meeting_detail", meeting_id=meeting.id)),
        render=lambda: render_meeting(meeting, decision=form), fallback="text")
