"""Case reports as every signed-in user reads them: the library (search and filters), a case, the compilation.

Submitting and revising are the unit's (web/liaison/cases.py); review and the compilation's order the
secretariat's (web/secretariat/review.py)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.models import CaseKind, CaseReport, CaseStatus, Plan
from tasktrack.permissions import Action, can, require, visible_units
from tasktrack.services import cases, compilation, observations, units
from tasktrack.services.cases import CaseFilter
from tasktrack.services.read import overview
from tasktrack.uploads.headers import content_disposition
from tasktrack.web import loaders
from tasktrack.web.everyone import bp
from tasktrack.web.params import enum_arg, id_arg, int_arg, page_arg
from tasktrack.web.secretariat.review_forms import CaseReviewForm


def _plan() -> Plan:
    return overview.require_current_plan(context.today(), current_user)


@bp.route("/cases/")
def case_library() -> str:
    """Search the case library by words and filters (paginated)."""
    flt = CaseFilter(q=request.args.get("q", "").strip()[:100], kind=enum_arg("kind", CaseKind),
                     unit_id=id_arg("unit"), focus_item_id=id_arg("focus"), year=int_arg("year", low=1, high=9999),
                     status=enum_arg("status", CaseStatus))
    page = cases.search_cases(current_user, flt, page=page_arg())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("cases/library.html", page=page, flt=flt, args=args, kinds=list(CaseKind),
                           statuses=list(CaseStatus), units=units.list_units(where=visible_units(current_user)),
                           focus_items=observations.list_focus_items(), years=cases.case_years())


@bp.route("/cases/<int:case_id>")
def case_detail(case_id: int) -> str:
    """Show a case: its latest text, every version, the reviews and the attachments."""
    case = loaders.case(case_id)
    require(current_user, Action.VIEW_CASE, case)
    review = CaseReviewForm()
    labels = dict(review.action.choices)
    review.action.choices = [(a, labels[a]) for a in cases.review_actions(case)]  # only what would be taken
    return render_template("cases/detail.html", case=case, review=review, files=cases.current_files(case),
                           may_revise=case.status is CaseStatus.RETURNED and _may_submit_for(case))


def _may_submit_for(case: CaseReport) -> bool:
    return can(current_user, Action.SUBMIT_CASE, case.unit)


@bp.route("/cases/compilation.docx")
def compilation_download() -> Response:
    """Download the year's 《清廉社会组织优秀案例汇编》 as .docx (the secretariat and the leaders read it).

    The one role question below a blueprint guard: its readers are two audiences, so the policy is asked here."""
    require(current_user, Action.READ_COMPILATION)
    plan = _plan()
    data = compilation.build_compilation(plan, cases.featured_cases(plan), now=context.now())
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Content-Disposition"] = content_disposition(compilation.compilation_filename(plan))
    response.headers["Cache-Control"] = "private, no-store"
    return response
