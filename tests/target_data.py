"""A small plan document with targets (指标) in its preamble and tasks, read into a draft or published (tests only)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Plan, PlanImport, PlanTarget, User
from tasktrack.services import plan_import_edits, plan_imports

#: A 2024 plan (the suite's today is 2024-07-18): two targets in the preamble, one in task 1, one in task 2.
DOC = """\
2024年全省社会组织指标试点工作要点
一、总体要求
到2024年底，全省社会组织党建入章率达到98%以上，4A级及以上社会组织不少于200家。
二、主要任务
（一）强化党建引领。推动社会组织党组织应建尽建，培育不少于50个社区社会组织。（省民政厅牵头，省委组织部配合）
（二）加强规范监管。开展年度检查，年检率不低于95%。（省民政厅）
（三）深化专项治理。清理评比表彰活动。（省民政厅）
"""


def draft(actor: User | None, now: dt.datetime, text: str = DOC) -> PlanImport:
    """Read the document into a draft whose rows all have a deadline (2024年12月底前), flushed."""
    imp = plan_imports.start(pasted=text, actor=actor, now=now)
    plan_import_edits.fill_blank(imp, field="deadline_phrase", phrase="2024年12月底前", version=imp.version,
                                 actor=actor, now=now)
    db.session.flush()
    return imp


def published(actor: User | None, now: dt.datetime) -> Plan:
    """Publish the document with every offered target kept (committed)."""
    imp = draft(actor, now)
    plan = plan_imports.publish(imp, actor=actor, now=now, version=imp.version)
    db.session.commit()
    return plan


def target_named(plan: Plan, what: str) -> PlanTarget:
    """Return a plan's target by what it measures."""
    target = db.session.scalar(sa.select(PlanTarget).where(PlanTarget.plan_id == plan.id, PlanTarget.what == what))
    assert target is not None, what
    return target
