"""Sign-in and password forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tasktrack.domain import safe_text


def printable(form: FlaskForm, field: Field) -> None:
    """Refuse control characters (an address with NUL would reach the database, which cannot hold it)."""
    if field.data and safe_text.first_forbidden(field.data) is not None:
        raise ValidationError("邮箱中含有不能识别的控制字符，请重新输入")


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = StringField("邮箱", validators=[DataRequired("请输入邮箱"), Length(max=254), printable])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=128)])
    remember = BooleanField("在此设备上保持登录（14 天）")


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码"), Length(max=128)])
    confirm = PasswordField("确认新密码", validators=[EqualTo("new", "两次输入的新密码不一致")])
