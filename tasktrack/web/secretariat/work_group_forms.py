"""Forms of the work-group tree page: a lower work group with its first secretariat account; reminder windows."""

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

_DAYS = [Optional(), NumberRange(min=0, max=366, message="应为 0 到 366 之间的整数")]


class WorkGroupForm(FlaskForm):
    """A work group one level below the secretariat's own, the unit standing for it, its first secretariat."""

    name = StringField("专班名称", validators=[DataRequired("请填写专班名称"), Length(max=200)])
    unit_name = StringField("在本专班计划中代表它的单位", validators=[Optional(), Length(max=100)])
    email = StringField("专班办公室账号（登录邮箱）", validators=[DataRequired("请填写登录邮箱"), Length(max=254)])
    account_name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=100)])
    password = PasswordField("初始密码", validators=[DataRequired("请设置初始密码"), Length(max=128)])


class ReminderWindowsForm(FlaskForm):
    """The work group's own reminder windows; an empty field uses the system's setting."""

    due_soon_days = StringField("截止前提醒（天，逗号分隔）", validators=[Optional(), Length(max=40)])
    overdue_repeat_days = IntegerField("逾期后每隔几天催办（0 为不重复）", validators=_DAYS)
    supervision_after_days = IntegerField("逾期多少天后发督办通知（0 为不发）", validators=_DAYS)
    period_grace_days = IntegerField("报送周期宽限天数", validators=_DAYS)
