"""Forms of a unit user's own settings."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from tasktrack.services.digests import WEEKDAYS


class DigestPreferenceForm(FlaskForm):
    """The weekly digest's weekday, or paused."""

    weekday = SelectField("每周摘要发送日", coerce=int, choices=list(enumerate(WEEKDAYS)))
    paused = BooleanField("暂停每周摘要（到期、逾期提醒仍会照常发送）")
