"""Case reports: the library (search and filters), submit, revise, review, the compilation."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.filetypes import content_disposition
from tasktrack.extensions import db
from tasktrack.models import CaseKind, CaseReport, CaseStatus, FocusItem, Plan, Task
from tasktrack.permissions import Action, require
from tasktrack.services import cases, compilation, observations, overview, units
from tasktrack.services.cases import CaseFilter, CaseText
from tasktrack.web import forms, loaders
from tasktrack.web.cases.forms import CaseForm, ReviewForm
from tasktrack.web.forms import done, form_view
from tasktrack.web.guards import guard_blueprint
from tasktrack.web.params import enum_arg, id_arg, int_arg, page_arg
from tasktrack.web.uploads import uploads_from_request

bp = Blueprint("cases", __name__, url_prefix="/cases")
guard_blueprint(bp, Action.VIEW_PLAN)  # everyone signed in; objects are checked in permissions.py


def _plan() -> Plan:
    return overview.require_current_plan(context.today())


@bp.route("/")
def library() -> str:
    """Search the case library by words and filters (paginated)."""
    flt = CaseFilter(q=request.args.get("q", "").strip()[:100], kind=enum_arg("kind", CaseKind),
                     unit_id=id_arg("unit"), focus_item_id=id_arg("focus"), year=int_arg("year", low=1, high=9999),
                     status=enum_arg("status", CaseStatus))
    page = cases.search_cases(current_user, flt, page=page_arg())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/library.html", page=page, flt=flt, args=args, kinds=list(CaseKind),
                           statuses=list(CaseStatus), units=units.list_units(),
                           focus_items=observations.list_focus_items(), years=cases.case_years())


def _form_choices(form: CaseForm, plan: Plan) -> None:
    tasks = db.session.scalars(db.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False))
                               .order_by(Task.number))
    form.task_id.choices = [(0, "（无）")] + [(t.id, f"{t.number}. {t.text[:40]}") for t in tasks]
    form.focus_item_id.choices = [(0, "（无）")] + [(f.id, f.name) for f in observations.list_focus_items()]


def _text(form: CaseForm) -> CaseText:
    return CaseText(kind=CaseKind(form.kind.data), title=form.title.data or "", summary=form.summary.data or "",
                    body=form.body.data or "",
                    task=db.session.get(Task, form.task_id.data) if form.task_id.data else None,
                    focus_item=db.session.get(FocusItem, form.focus_item_id.data) if form.focus_item_id.data else None)


@bp.route("/new", methods=["GET", "POST"])
@form_view
def new() -> ResponseReturnValue:
    """Submit a case report for the user's unit."""
    unit = current_user.unit
    require(current_user, Action.SUBMIT_CASE, unit)
    plan = _plan()
    form = CaseForm()
    _form_choices(form, plan)
    return forms.handle(
        form, lambda: cases.submit_case(plan, unit, _text(form), actor=current_user, files=uploads_from_request(),
                                        now=context.now()),
        success=lambda case: done(f"已报送《{case.title}》，等待专班办公室审核",
                                  url_for("cases.detail", case_id=case.id)),
        render=lambda: render_template("cases/form.html", form=form, case=None), refused=422, fallback="attachments")


@bp.route("/<int:case_id>")
def detail(case_id: int) -> str:
    """Show a case: its latest text, every version, the reviews and the attachments."""
    case = loaders.case(case_id)
    require(current_user, Action.VIEW_CASE, case)
    review = ReviewForm()
    labels = dict(review.action.choices)  # type: ignore[arg-type]
    review.action.choices = [(a, labels[a]) for a in cases.review_actions(case)]  # only what would be taken
    return render_template("cases/detail.html", case=case, review=review, files=cases.current_files(case),
                           may_revise=case.status is CaseStatus.RETURNED and _may_submit_for(case))


def _may_submit_for(case: CaseReport) -> bool:
    from tasktrack.permissions import can

    return can(current_user, Action.SUBMIT_CASE, case.unit)


@bp.route("/<int:case_id>/revise", methods=["GET", "POST"])
@form_view
def revise(case_id: int) -> ResponseReturnValue:
    """Revise a returned case and resubmit it as a new version."""
    case = loaders.case(case_id)
    require(current_user, Action.VIEW_CASE, case)
    require(current_user, Action.SUBMIT_CASE, case.unit)
    if case.status is not CaseStatus.RETURNED:  # say why instead of a form that would be refused
        return render_template("cases/form.html", form=None, case=case, refusal=cases.REVISE_REFUSED), (
            409 if request.method == "POST" else 200)
    form = CaseForm()
    _form_choices(form, case.plan)
    files = cases.current_files(case)
    # Which of the current version's files the new version keeps (all, until the unit unticks some).
    kept = {f.id for f in files} if request.method == "GET" else {
        int(v) for v in request.form.getlist("keep") if v.isdigit()}
    if request.method == "GET":
        form.kind.data, form.title.data, form.summary.data, form.body.data = (
            case.kind.value, case.title, case.summary, case.body)
        form.task_id.data, form.focus_item_id.data = case.task_id or 0, case.focus_item_id or 0
    return forms.handle(
        form, lambda: cases.revise_case(case, _text(form), actor=current_user, files=uploads_from_request(),
                                        now=context.now(), keep=sorted(kept)),
        success=lambda _r: done(f"已重新报送《{case.title}》（第 {case.version} 版）",
                                url_for("cases.detail", case_id=case.id)),
        render=lambda: render_template("cases/form.html", form=form, case=case, files=files, kept=kept),
        refused=422, fallback="attachments")


@bp.route("/compilation.docx")
def compilation_download() -> Response:
    """Download the year's 《清廉社会组织优秀案例汇编》 as .docx."""
    require(current_user, Action.READ_COMPILATION)
    plan = _plan()
    data = compilation.build_compilation(plan, cases.featured_cases(plan), now=context.now())
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Content-Disposition"] = content_disposition(compilation.compilation_filename(plan))
    response.headers["Cache-Control"] = "private, no-store"
    return response
