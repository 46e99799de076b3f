"""Forms of the secretariat's administration pages."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tasktrack.models import Role, UnitKind


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice rendered as check boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    """Create or edit an account."""

    email = StringField("登录邮箱", validators=[DataRequired("请填写邮箱"), Length(max=254)])
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=100)])
    role = SelectField("角色", choices=[(r.value, r.label) for r in Role])
    unit_id = SelectField("所属单位", coerce=int, choices=[], validate_choice=True)
    phone = StringField("电话", validators=[Optional(), Length(max=40)])
    password = PasswordField("初始密码", validators=[Optional(), Length(max=128)])


class PasswordResetForm(FlaskForm):
    """A new password set by the secretariat."""

    password = PasswordField("新密码", validators=[DataRequired("请填写新密码"), Length(max=128)])


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


class UnitForm(FlaskForm):
    """Create or edit a unit."""

    name = StringField("单位名称", validators=[DataRequired("请填写单位名称"), Length(max=100)])
    kind = SelectField("单位类型", choices=[(k.value, k.label) for k in UnitKind])
    categories = MultiCheckboxField("责任单位类别", coerce=int, choices=[])
    contact_emails = TextAreaField("联系邮箱（每行一个）", validators=[Optional(), Length(max=2000)])
    leader_email = StringField("分管领导邮箱（督办时抄送）", validators=[Optional(), Length(max=254)])
    parent_id = SelectField("上级单位（县级填所属设区市）", coerce=int, choices=[])
    is_active = BooleanField("启用", default=True)


class ChoiceReopenForm(FlaskForm):
    """Reopen an observation point's locked focus choice."""

    reason = StringField("原因", validators=[Optional(), Length(max=500)])


class DeadlineForm(FlaskForm):
    """The plan's focus-choice deadline."""

    deadline = DateField("工作重点选择截止日期", validators=[Optional()])


class RobotForm(FlaskForm):
    """A DingTalk group robot: webhook and signing secret (empty keeps the one on file), or clear both."""

    dingtalk_webhook = StringField("机器人 Webhook 地址", validators=[Optional(), Length(max=2000)])
    dingtalk_secret = PasswordField("加签密钥（SEC 开头）", validators=[Optional(), Length(max=2000)])
    clear = BooleanField("清除钉钉机器人（不再向钉钉群发送）")
