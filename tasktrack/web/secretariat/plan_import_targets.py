"""Targets (指标) on a draft's review page: keep or remove the offered ones, attach each to a task or the plan, add one.

Thin routes over ``services.plan_import_targets``; the section they post from is
``templates/plans/_import_targets.html``, shown on the review page (``plan_import.review_page``).
"""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.services import plan_import_targets as target_edits
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.plan_import import back_to, form_version, review_page
from tasktrack.web.secretariat.plan_import_forms import TargetAddForm, VersionForm, scope_choices


def _row_id(raw: str | None) -> int | None:
    """Read a scope choice: "" is the whole plan; anything else must be a row id (checked by the service)."""
    return parse_id(raw) if raw else None


def _edits() -> list[target_edits.TargetEdit]:
    """Read the table of offered targets: a target is in the form when its 归属 select was sent."""
    result = []
    for key in request.form:
        if not (key.startswith("targets-") and key.endswith("-row")):
            continue
        target_id = parse_id(key.removeprefix("targets-").removesuffix("-row"))
        if target_id is None:
            continue
        raw = request.form.get(key, "")
        row_id = _row_id(raw)
        if raw and row_id is None:
            row_id = 0  # junk: refused by the service as a row not in the draft
        result.append(target_edits.TargetEdit(target_id=target_id, row_id=row_id,
                                               is_kept=request.form.get(f"targets-{target_id}-kept") == "y"))
    return result


@bp.route("/plans/import/<int:import_id>/targets", methods=["POST"])
def plan_import_targets(import_id: int) -> ResponseReturnValue:
    """Save which offered targets are kept and what each one measures."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(
        form, lambda: target_edits.save_targets(imp, _edits(), version=form_version(form), actor=current_user,
                                                 now=context.now()),
        success=lambda n: done(f"已保存 {n} 项指标的修改" if n else "指标没有修改", back_to(imp) + "#targets"),
        back=back_to(imp) + "#targets")


@bp.route("/plans/import/<int:import_id>/targets/add", methods=["POST"])
@form_view
def plan_import_add_target(import_id: int) -> ResponseReturnValue:
    """Add a target typed as "名称 ≥ 数值 单位"; a wrong one comes back with the reason on its field."""
    imp = loaders.plan_import(import_id)
    form = TargetAddForm()
    form.row.choices = scope_choices(imp.rows)
    return forms.handle(
        form, lambda: target_edits.add_target(imp, form.text.data or "", row_id=_row_id(form.row.data),
                                               version=form_version(form), actor=current_user, now=context.now()),
        success=lambda t: done(f"已添加指标“{t.label}”", back_to(imp) + "#targets"),
        render=lambda: review_page(imp, target_form=form))
