"""Forms of the reminder pages."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from tasktrack.services.digests import WEEKDAYS
from tasktrack.services.urging import MAX_NOTE


class UrgeForm(FlaskForm):
    """一键催办 with an optional note."""

    note = TextAreaField("附言（可选）",
                         validators=[Optional(), Length(max=MAX_NOTE, message=f"附言不能超过 {MAX_NOTE} 字")])


class ResendForm(FlaskForm):
    """Put a failed message back in the queue."""


class DeliverForm(FlaskForm):
    """Send the outbox now (立即发送)."""


class DigestPreferenceForm(FlaskForm):
    """The weekly digest's weekday, or paused."""

    weekday = SelectField("每周摘要发送日", coerce=int, choices=list(enumerate(WEEKDAYS)))
    paused = BooleanField("暂停每周摘要（到期、逾期提醒仍会照常发送）")
