"""The DingTalk robot form, shared by the unit administration page and one's own account page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.models import Unit, User
from tasktrack.services import robots
from tasktrack.settings import settings
from tasktrack.web import forms
from tasktrack.web.forms import done
from tasktrack.web.secretariat.forms import RobotForm


def robot_page(owner: Unit | User, *, back: str, here: str, crumbs: list[tuple[str, str]]) -> ResponseReturnValue:
    """Show and save the robot of ``owner``: the webhook masked, the secret as 已设置/未设置 (never sent back)."""
    form = RobotForm()

    def save() -> bool:
        return robots.set_robot(owner, actor=current_user, webhook=form.dingtalk_webhook.data or "",
                                secret=form.dingtalk_secret.data or "", clear=bool(form.clear.data),
                                now=context.now(), settings=settings().robots)

    def saved(changed: bool) -> ResponseReturnValue:
        if not changed:
            return done("钉钉机器人设置没有变化", here, "info")
        return done("已清除钉钉机器人" if form.clear.data else "已保存钉钉机器人设置", back)

    return forms.handle(form, save, success=saved,
                        render=lambda: render_template("reminders/robot.html", form=form, owner=owner,
                                                       robot=robots.describe(owner), crumbs=crumbs))
