"""Forms of the 上级下达任务 pages: 分解 into a new task, link an existing task, unlink, the summary report."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tasktrack.models import AssignmentStatus
from tasktrack.web.liaison.forms import ChineseDateField


class DecomposeForm(FlaskForm):
    """A new task of one of the group's own plans, for its own member units (分解)."""

    # The choices are the group's plans; the service refuses any other (its message, on this field).
    plan = SelectField("加入工作计划", validate_choice=False)
    text = TextAreaField("具体工作", validators=[DataRequired("请填写具体工作"), Length(max=2000)])
    deadline_phrase = StringField("完成时间节点", validators=[DataRequired("请填写完成时间节点"), Length(max=100)])
    responsible_phrase = StringField("责任单位", validators=[DataRequired("请填写责任单位"), Length(max=500)])


class LinkForm(FlaskForm):
    """Link a task the group already has."""

    task_id = SelectField("本专班已有任务", validate_choice=False)


class UnlinkForm(FlaskForm):
    """Take a task out of the decomposition (the task stays in the plan)."""

    task_id = HiddenField()


class SummaryForm(FlaskForm):
    """The lower secretariat's summary report on the inbound assignment (汇总报送), which the higher level reads."""

    status = SelectField("当前状态", validate_choice=False)
    percent = StringField("完成比例（%，可不填）", validators=[Optional(), Length(max=5)])
    completed_on = ChineseDateField("完成日期", validators=[Optional()])
    narrative = TextAreaField("汇总情况", validators=[DataRequired("请填写汇总情况")])
    base_report_id = HiddenField()

    def offer(self, *, may_claim: bool) -> None:
        """Offer 已完成 only when the roll-up says 可申报完成 (the service refuses it otherwise, too)."""
        self.status.choices = [(s.value, s.label) for s in AssignmentStatus
                               if may_claim or s is not AssignmentStatus.COMPLETED]

    def percent_value(self) -> int | None:
        """Return the percent as an int, None when empty; raise ValueError when not a whole number."""
        raw = (self.percent.data or "").strip().rstrip("%")
        return int(raw) if raw else None
