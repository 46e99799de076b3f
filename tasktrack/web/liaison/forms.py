"""Forms a unit submits: progress reports, 情况无变化, extension requests, case reports, the digest settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tasktrack.models import AssignmentStatus, CaseKind, PlanTarget
from tasktrack.services.digests import WEEKDAYS
from tasktrack.services.targets import field_name


class ChineseDateField(DateField):
    """A date field whose format error is in Chinese."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("日期格式不正确，请按“年-月-日”填写") from exc


class ReportForm(FlaskForm):
    """A progress report (a new version; nothing earlier is changed)."""

    status = SelectField("当前状态", choices=[(s.value, s.label) for s in AssignmentStatus])
    completed_on = ChineseDateField("完成日期", validators=[Optional()])
    # A text field: the service gives the Chinese message for anything outside 0–100.
    percent = StringField("完成比例（%，可不填）", validators=[Optional(), Length(max=5)])
    narrative = TextAreaField("进展情况", validators=[DataRequired("请填写进展情况说明")])
    reason = TextAreaField("说明（更正原因；已完成改为未完成时必填）", validators=[Optional()])
    attachments = MultipleFileField("佐证材料（PDF、Word、Excel、图片，可多选）")
    #: The latest report when the form was opened ("" when there was none).
    base_report_id = HiddenField()
    #: The report this one corrects, if any.
    supersedes_id = HiddenField()

    def percent_value(self) -> int | None:
        """Return the percent as an int, None when empty; raise ValueError when not a whole number."""
        raw = (self.percent.data or "").strip().rstrip("%")
        if not raw:
            return None
        return int(raw)

def report_form_with_targets(targets: Sequence[PlanTarget]) -> type[ReportForm]:
    """Return the report form with an optional 当前值 field per target (``target_<id>``), or the plain form."""
    if not targets:
        return ReportForm
    fields = {
        field_name(t): StringField(f"{t.what}（目标 {t.label.removeprefix(t.what).strip()}）当前值",
                                   validators=[Optional(), Length(max=40, message="当前值最多 40 个字符")])
        for t in targets
    }
    return type("TargetReportForm", (ReportForm,), fields)


class UnchangedForm(FlaskForm):
    """情况无变化，确认报送: carries the state the button was shown on."""

    base_report_id = HiddenField()


class ExtensionForm(FlaskForm):
    """A request for a later due date."""

    requested_due = ChineseDateField("申请延期至", validators=[Optional()])
    reason = TextAreaField("延期理由", validators=[DataRequired("请填写申请延期的理由"), Length(max=2000)])


class CaseForm(FlaskForm):
    """Submit or revise a case report."""

    kind = SelectField("案例类型", choices=[(k.value, k.label) for k in CaseKind])
    title = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=200)])
    summary = TextAreaField("摘要", validators=[DataRequired("请填写摘要"), Length(max=2000)])
    body = TextAreaField("正文", validators=[DataRequired("请填写正文"), Length(max=50_000)])
    task_id = SelectField("相关任务", coerce=int, choices=[], validate_choice=True)
    focus_item_id = SelectField("相关工作重点", coerce=int, choices=[], validate_choice=True)
    attachments = MultipleFileField("附件（PDF、Word、图片）")


class DigestPreferenceForm(FlaskForm):
    """The weekly digest's weekday, or paused."""

    weekday = SelectField("每周摘要发送日", coerce=int, choices=list(enumerate(WEEKDAYS)))
    paused = BooleanField("暂停每周摘要（到期、逾期提醒仍会照常发送）")
