"""Forms of the pages everyone signed in reaches: 签收 (the one button; its two fields are optional)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField


class AcknowledgeForm(FlaskForm):
    """签收: nothing to fill in; 承办人 and phone may ride along (the service checks them)."""

    handler_name = StringField("承办人")
    handler_phone = StringField("联系电话")
    #: "my": go back to 我的任务 instead of the assignment page.
    next = HiddenField()
