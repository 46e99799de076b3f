"""Forms of the case report pages."""

from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tasktrack.models import CaseKind


class CaseForm(FlaskForm):
    """Submit or revise a case report."""

    kind = SelectField("案例类型", choices=[(k.value, k.label) for k in CaseKind])
    title = StringField("标题", validators=[DataRequired("请填写标题"), Length(max=200)])
    summary = TextAreaField("摘要", validators=[DataRequired("请填写摘要"), Length(max=2000)])
    body = TextAreaField("正文", validators=[DataRequired("请填写正文"), Length(max=50_000)])
    task_id = SelectField("相关任务", coerce=int, choices=[], validate_choice=True)
    focus_item_id = SelectField("相关工作重点", coerce=int, choices=[], validate_choice=True)
    attachments = MultipleFileField("附件（PDF、Word、图片）")


class ReviewForm(FlaskForm):
    """A review decision with an optional comment (required to return)."""

    action = SelectField("审核", choices=[("accept", "采用"), ("return", "退回修改"), ("feature", "入选汇编"),
                                          ("unfeature", "移出汇编")])
    comment = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])


class OrderForm(FlaskForm):
    """The compilation order; each case's position comes in a field named ``order_<id>``."""
