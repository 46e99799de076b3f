"""导入工作计划: upload a document, review its draft row by row, fix names, publish (the secretariat's pages).

Routes are thin: every change is one service call through ``forms.handle``; the review itself (each row's
reading and problems) is computed by ``services.plan_imports.review_of``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_int
from tasktrack.extensions import db
from tasktrack.models import Category, ImportStatus, PlanImport, Unit, UnitKind
from tasktrack.services import plan_import_edits as edits
from tasktrack.services import plan_imports, target_drafts, units, work_groups
from tasktrack.services.attachments import storage
from tasktrack.web import forms, loaders
from tasktrack.web.downloads import file_response
from tasktrack.web.forms import done, form_view
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.plan_import_forms import (
    FillForm,
    HeaderForm,
    ImportForm,
    MapNameForm,
    NewUnitForm,
    TargetAddForm,
    VersionForm,
    scope_choices,
)

_SOURCE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "txt": "text/plain; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}


@bp.route("/plans/import", methods=["GET", "POST"])
@form_view
def plan_import() -> ResponseReturnValue:
    """Upload a plan document (or paste its text): a draft no unit sees, then its review page."""
    form = ImportForm()
    existing: list[PlanImport] = []

    def start() -> PlanImport:
        upload = request.files.get("file")
        received = plan_imports.Received(upload.read(), upload.filename or "") if upload and upload.filename else None
        return plan_imports.start(received, pasted=form.text.data, title=form.title.data, year=form.year.data,
                                  actor=current_user, now=context.now())

    def refused(exc: Any) -> None:
        if isinstance(exc, plan_imports.AlreadyImported):
            existing.append(exc.existing)

    return forms.handle(
        form, start, fallback="file", on_refusal=refused,
        success=lambda imp: done(f"已读取《{imp.title}》：{len(imp.rows)}项任务，请逐行核对后发布",
                                 url_for("secretariat.plan_import_review", import_id=imp.id)),
        render=lambda: _upload_page(form, existing[0] if existing else None),
    )


def _upload_page(form: ImportForm, existing: PlanImport | None) -> str:
    imports = plan_imports.list_imports(work_groups.home_work_group(current_user))
    return render_template("plans/import.html", form=form, existing=existing, imports=imports,
                           row_counts=plan_imports.row_counts(imports))


def _map_targets(work_group_id: int) -> list[tuple[str, str]]:
    """The choices of 对应到: nothing chosen first (a name is never mapped to whichever unit happens to be first)."""
    targets = [("", "请选择单位或类别")]
    targets += [(f"u{u.id}", f"单位：{u.name}") for u in units.list_units(work_group_id)]
    targets += [(f"c{c.id}", f"类别：{c.name}") for c in units.list_categories(work_group_id)]
    return targets


def review_page(imp: PlanImport, **overrides: Any) -> str:
    group = imp.work_group
    version = str(imp.version)
    new_unit = NewUnitForm(version=version)
    new_unit.categories.choices = [(c.id, c.name) for c in units.list_categories(group.id)]
    map_form = MapNameForm(version=version)
    map_form.target.choices = _map_targets(group.id)
    header = HeaderForm(obj=imp, version=version) if "header" not in overrides else overrides.pop("header")
    target_form = TargetAddForm(version=version)
    target_form.row.choices = scope_choices(imp.rows)
    context_: dict[str, Any] = {
        "imp": imp, "review": plan_imports.review_of(imp), "header": header, "new_unit": new_unit,
        "map_form": map_form, "fill": FillForm(version=version), "button": VersionForm(version=version),
        "typed": {}, "editable": imp.status is ImportStatus.DRAFT,
        "draft_targets": target_drafts.draft_targets(imp), "target_form": target_form,
        "target_scopes": target_form.row.choices,
    }
    context_.update(overrides)
    return render_template("plans/import_review.html", **context_)


@bp.route("/plans/import/<int:import_id>")
def plan_import_review(import_id: int) -> str:
    """The draft as one table: each row's readings and problems, the names to create or map, publish."""
    return review_page(loaders.plan_import(import_id))


def back_to(imp: PlanImport) -> str:
    return url_for("secretariat.plan_import_review", import_id=imp.id)


def form_version(form: VersionForm) -> int:
    return parse_int(form.version.data, low=1, high=2**31 - 1) or 0


@bp.route("/plans/import/<int:import_id>/header", methods=["POST"])
@form_view
def plan_import_header(import_id: int) -> ResponseReturnValue:
    """Save the plan's title, period, issuer, 文号 and date."""
    imp = loaders.plan_import(import_id)
    form = HeaderForm()
    header = lambda: edits.Header(  # noqa: E731 — read when the service runs
        title=form.title.data or "", year=form.year.data or 0, end_year=form.end_year.data,
        issuer=form.issuer.data or "", document_number=form.document_number.data or "",
        issued_on=form.issued_on.data, report_period_months=form.report_period_months.data or 3)
    return forms.handle(
        form, lambda: edits.update_header(imp, header(), version=form_version(form), actor=current_user,
                                          now=context.now()),
        success=lambda _r: done("已保存计划信息", back_to(imp)),
        render=lambda: review_page(imp, header=form))


def _row_edits(imp: PlanImport) -> list[edits.RowEdit]:
    def number(key: str) -> int:
        return parse_int(request.form.get(key), low=0, high=9999) or 0

    result = []
    for row in imp.rows:
        prefix = f"rows-{row.id}-"
        if prefix + "text" not in request.form:
            continue
        result.append(edits.RowEdit(
            row_id=row.id, section_number=number(prefix + "section_number"),
            section_title=request.form.get(prefix + "section_title", ""), number=number(prefix + "number"),
            text=request.form.get(prefix + "text", ""),
            deadline_phrase=request.form.get(prefix + "deadline_phrase", ""),
            responsible_phrase=request.form.get(prefix + "responsible_phrase", "")))
    return result


@bp.route("/plans/import/<int:import_id>/rows", methods=["POST"])
@form_view
def plan_import_rows(import_id: int) -> ResponseReturnValue:
    """Save the edited table (every row at once); the page shows the new readings and problems."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(
        form, lambda: edits.save_rows(imp, _row_edits(imp), version=form_version(form), actor=current_user,
                                      now=context.now()),
        success=lambda n: done(f"已保存 {n} 行修改" if n else "没有修改", back_to(imp) + "#rows"),
        render=lambda: review_page(imp, typed=request.form, button=form))


@bp.route("/plans/import/<int:import_id>/rows/add", methods=["POST"])
def plan_import_add_row(import_id: int) -> ResponseReturnValue:
    """Append a blank row."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(form, lambda: edits.add_row(imp, version=form_version(form), actor=current_user,
                                                    now=context.now()),
                        success=lambda row: done(f"已新增第{row.position}行，请填写内容",
                                                 back_to(imp) + f"#task-{row.number}"),
                        back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/rows/<int:row_id>/delete", methods=["POST"])
def plan_import_delete_row(import_id: int, row_id: int) -> ResponseReturnValue:
    """Delete a row that is not a task."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(form, lambda: edits.delete_row(imp, row_id, version=form_version(form), actor=current_user,
                                                       now=context.now()),
                        success=lambda _r: done("已删除该行", back_to(imp) + "#rows"), back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/fill", methods=["POST"])
def plan_import_fill(import_id: int) -> ResponseReturnValue:
    """Fill every row lacking a deadline (or owners) with one phrase the secretariat chose."""
    imp = loaders.plan_import(import_id)
    form = FillForm()
    return forms.handle(
        form, lambda: edits.fill_blank(imp, field=form.field.data or "", phrase=form.phrase.data or "",
                                       version=form_version(form), actor=current_user, now=context.now()),
        success=lambda n: done(f"已为 {n} 项任务填入“{form.phrase.data}”", back_to(imp)), back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/names/new", methods=["POST"])
def plan_import_new_unit(import_id: int) -> ResponseReturnValue:
    """新建单位 named as the document names it."""
    imp = loaders.plan_import(import_id)
    form = NewUnitForm()
    categories = units.list_categories(imp.work_group_id)
    form.categories.choices = [(c.id, c.name) for c in categories]
    chosen = lambda: [c for c in categories if c.id in set(form.categories.data or [])]  # noqa: E731
    return forms.handle(
        form, lambda: edits.create_unit(imp, form.name.data or "", kind=UnitKind(form.kind.data),
                                        categories=chosen(), version=form_version(form),
                                        actor=current_user, now=context.now()),
        success=lambda unit: done(f"已新建单位“{unit.name}”", back_to(imp) + "#names"), back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/names/map", methods=["POST"])
def plan_import_map_name(import_id: int) -> ResponseReturnValue:
    """对应到已有单位或类别: the name is kept as an alias for later imports too."""
    imp = loaders.plan_import(import_id)
    form = MapNameForm()
    form.target.choices = _map_targets(imp.work_group_id)

    def map_it() -> None:
        target = form.target.data or ""
        ident = parse_int(target[1:], low=1, high=2**31 - 1)
        unit = db.session.get(Unit, ident) if target.startswith("u") and ident else None
        category = db.session.get(Category, ident) if target.startswith("c") and ident else None
        edits.map_name(imp, form.name.data or "", unit=unit, category=category, version=form_version(form),
                       actor=current_user, now=context.now())

    return forms.handle(form, map_it, success=lambda _r: done(f"已将“{form.name.data}”对应到所选单位或类别",
                                                              back_to(imp) + "#names"), back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/publish", methods=["POST"])
def plan_import_publish(import_id: int) -> ResponseReturnValue:
    """发布: create the plan, its tasks and assignments (only with no problem left)."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(
        form, lambda: plan_imports.publish(imp, actor=current_user, now=context.now(), version=form_version(form)),
        success=lambda plan: done(f"已发布《{plan.title}》，各责任单位现在可以看到任务",
                                  url_for("everyone.plan", plan_id=plan.id)),
        back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/discard", methods=["POST"])
def plan_import_discard(import_id: int) -> ResponseReturnValue:
    """放弃 a draft (kept for the record)."""
    imp = loaders.plan_import(import_id)
    form = VersionForm()
    return forms.handle(
        form, lambda: plan_imports.discard(imp, actor=current_user, now=context.now(), version=form_version(form)),
        success=lambda _r: done(f"已放弃草稿《{imp.title}》", url_for("secretariat.plan_import")), back=back_to(imp))


@bp.route("/plans/import/<int:import_id>/source")
def plan_import_source(import_id: int) -> Response:
    """Download the document as received."""
    imp = loaders.plan_import(import_id)
    try:
        with storage().open(imp.source_key) as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        abort(410)
    return file_response(data, filename=imp.source_name,
                         content_type=_SOURCE_TYPES.get(imp.source_format, "application/octet-stream"),
                         cache_control="private, no-store")
