"""`flask --app wsgi report bulletin|summary`: the /reports/ page's documents written to a file (same services)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tasktrack.extensions import db
from tasktrack.services import ServiceError, reports, summary

report_cli = AppGroup("report", help="公文材料：生成工作进展情况通报、工作总结初稿（.docx，GB/T 9704 格式）。")


def _date(_ctx: click.Context, param: click.Parameter, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD，收到 {value!r}") from None


def _write(output: str, build: tuple[str, bytes] | None) -> None:
    if build is None:
        return
    name, content = build
    Path(output).write_bytes(content)
    click.echo(f"已生成 {output}（{name}，{len(content)} 字节）")


def _run(plan_id: int, make: str, *days: dt.date) -> tuple[str, bytes] | None:
    try:
        plan = reports.get_plan(plan_id)
        if make == "bulletin":
            return reports.build_bulletin(plan, days[0])
        return summary.build_summary(plan, days[0], days[1])
    except ServiceError as exc:
        db.session.rollback()
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(1)


@report_cli.command("bulletin")
@click.option("--plan", "plan_id", required=True, type=int, help="计划 id。")
@click.option("--as-of", "as_of", required=True, callback=_date, metavar="YYYY-MM-DD", help="截止日期（含当日）。")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="输出文件（.docx）。")
def report_bulletin(plan_id: int, as_of: dt.date, output: str) -> None:
    """Write a plan's 工作进展情况通报 as of a date."""
    _write(output, _run(plan_id, "bulletin", as_of))


@report_cli.command("summary")
@click.option("--plan", "plan_id", required=True, type=int, help="计划 id。")
@click.option("--from", "start", required=True, callback=_date, metavar="YYYY-MM-DD", help="开始日期。")
@click.option("--to", "end", required=True, callback=_date, metavar="YYYY-MM-DD", help="结束日期（含当日）。")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="输出文件（.docx）。")
def report_summary(plan_id: int, start: dt.date, end: dt.date, output: str) -> None:
    """Write a plan's 工作总结 draft over a period."""
    _write(output, _run(plan_id, "summary", start, end))
