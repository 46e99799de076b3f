"""Forms of the secretariat's review work: completions (办结), reopening, extension decisions, case reviews and
the compilation's order."""

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ReviewForm(FlaskForm):
    """Confirm (办结) or send back (退回) a claimed completion."""

    note = TextAreaField("意见", validators=[Optional(), Length(max=2000)])


class ReopenForm(FlaskForm):
    """The secretariat reopens a confirmed completion (办结); the reason is required."""

    reason = TextAreaField("重新打开的原因", validators=[DataRequired("请填写重新打开的原因"), Length(max=2000)])


class DecisionForm(FlaskForm):
    """The secretariat's decision on an extension request."""

    decision = SelectField("决定", choices=[("approve", "同意延期"), ("refuse", "不同意")])
    note = TextAreaField("意见（不同意时必填）", validators=[Optional(), Length(max=2000)])


class CaseReviewForm(FlaskForm):
    """A review decision on a case report with an optional comment (required to return)."""

    action = SelectField("审核", choices=[("accept", "采用"), ("return", "退回修改"), ("feature", "入选汇编"),
                                          ("unfeature", "移出汇编")])
    comment = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])


class OrderForm(FlaskForm):
    """The compilation order; each case's position comes in a field named ``order_<id>``."""
