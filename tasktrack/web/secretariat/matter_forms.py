"""Forms of 交办事项 and 联络员会议: a new or edited matter, a meeting, its minutes and attendance, a decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import Length

from tasktrack.models import MatterSource


class UnitChecks(SelectMultipleField):
    """Units as a list of check boxes; the service refuses an id that is not one of the group's units."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        """Leave unknown values to the service (its Chinese message, on this field)."""


class MatterForm(FlaskForm):
    """A 交办事项: its source and reference, the text, the 完成时间节点 and the 责任单位 (read like a plan task's).

    Required fields are checked by the service, so every refusal reads the same in the page and the API.
    """

    source = SelectField("来源", choices=[(s.value, s.label) for s in MatterSource], validate_choice=False)
    reference = StringField("依据（会议、文号或批示内容）", validators=[Length(max=500)])
    text = TextAreaField("交办事项")
    deadline_phrase = StringField("完成时间节点", validators=[Length(max=100)])
    responsible_phrase = StringField("责任单位", validators=[Length(max=500)])


class DecisionForm(FlaskForm):
    """A decision (议定事项) of a meeting, which becomes a 交办事项 at once."""

    text = TextAreaField("议定事项")
    deadline_phrase = StringField("完成时间节点", validators=[Length(max=100)])
    responsible_phrase = StringField("责任单位", validators=[Length(max=500)])


class MeetingForm(FlaskForm):
    """A new 联络员会议: the notice goes to the units ticked."""

    title = StringField("会议名称", validators=[Length(max=200)])
    held_on = StringField("会议日期（年-月-日）", validators=[Length(max=20)])
    place = StringField("会议地点", validators=[Length(max=200)])
    agenda = TextAreaField("会议议程")
    invited = UnitChecks("参会单位（会议通知发给所选单位）", choices=[], coerce=str)


class MinutesForm(FlaskForm):
    """The minutes and which invited units were present (recorded, never ranked)."""

    minutes = TextAreaField("会议纪要")
    present = UnitChecks("出席单位", choices=[], coerce=str)
