"""Forms of an observation point's own work: its focus choice and pilot notes."""

from flask_wtf import FlaskForm
from wtforms import DateField, MultipleFileField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from tasktrack.web.params import coerce_id
from tasktrack.web.secretariat.forms import MultiCheckboxField


class ChoiceForm(FlaskForm):
    """Choose 1–2 focus items; each item's plan text comes in a field named ``plan_<id>``."""

    items = MultiCheckboxField("工作重点（选择 1 至 2 项）", coerce=coerce_id, choices=[], validate_choice=False)


class PilotLogForm(FlaskForm):
    """A dated pilot note with attachments."""

    focus_item_id = SelectField("工作重点", coerce=coerce_id, choices=[], validate_choice=False)
    log_date = DateField("日期", validators=[DataRequired("请填写日期")])
    note = TextAreaField("试点进展", validators=[DataRequired("请填写试点进展"), Length(max=5000)])
    attachments = MultipleFileField("附件（PDF、Word、Excel、图片）")
