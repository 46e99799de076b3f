"""Forms of the reminder pages."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from tasktrack.services.urging import MAX_NOTE


class UrgeForm(FlaskForm):
    """一键催办 with an optional note."""

    note = TextAreaField("附言（可选）",
                         validators=[Optional(), Length(max=MAX_NOTE, message=f"附言不能超过 {MAX_NOTE} 字")])


class ResendForm(FlaskForm):
    """Put a failed message back in the queue."""


class DeliverForm(FlaskForm):
    """Send the outbox now (立即发送)."""
