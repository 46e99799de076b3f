"""`flask --app wsgi …` commands for operators and scripts. They call the same services as the pages."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import Plan, Role, WorkGroup
from tasktrack.services import ServiceError, seeding, units, users
from tasktrack.settings import settings

users_cli = AppGroup("users", help="管理账号：创建账号、签发 API 令牌。")
plan_cli = AppGroup("plan", help="工作计划：导入计划文件生成草稿、由已有计划新建年度计划、导出任务进展表。")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(seed_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(plan_cli)
    init_reminder_commands(app)
    from tasktrack.cli_audit import audit_cli
    from tasktrack.cli_report import report_cli
    from tasktrack.cli_work_groups import work_groups_cli

    app.cli.add_command(audit_cli)
    app.cli.add_command(report_cli)
    app.cli.add_command(work_groups_cli)


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"日期应为 YYYY-MM-DD，收到 {value!r}") from None


def dated(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command whose work depends on the day ``--today YYYY-MM-DD``; it prints the day it uses first.

    Put it under the click command decorator. A ``--today`` holds for that command only (the scheduler's
    whole run); without it the command uses TASKTRACK_TODAY (environment or instance/tasktrack.env) or the
    real date, and says which.
    """

    @functools.wraps(command)
    def run(*args: Any, today: dt.date | None, **kwargs: Any) -> None:
        config = current_app.config
        saved = {key: config.get(key) for key in ("PINNED_TODAY", "TODAY_SOURCE")}
        if today is not None:
            config.update(PINNED_TODAY=today, TODAY_SOURCE="--today")
        try:
            click.echo(describe_today())
            command(*args, **kwargs)
        finally:
            config.update(saved)

    return click.option("--today", "today", default=None, metavar="YYYY-MM-DD", callback=_day,
                        help="以该日期作为今天（优先于 TASKTRACK_TODAY 和 instance/tasktrack.env）。")(run)


def describe_today() -> str:
    """Say which day the app uses and why: --today, TASKTRACK_TODAY (and where it was set) or the real date."""
    config = current_app.config
    day = context.today().isoformat()
    source = config.get("TODAY_SOURCE") or settings().today_source
    if config["PINNED_TODAY"] is None:
        return f"今日：{day}（真实日期，未设置 TASKTRACK_TODAY）"
    if source == "--today":
        return f"今日：{day}（--today）"
    where = "" if not source else ("，来自环境变量" if source == "环境变量" else f"，来自 {source}")
    return f"今日：{day}（TASKTRACK_TODAY={day}{where}）"


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@click.command("seed")
@click.option("--demo", is_flag=True, help="同时创建演示账号、观察点和进展报送。")
@dated
def seed_command(demo: bool) -> None:
    """Load seed/ (categories, units, focus items, the 2024 plan); idempotent."""
    now = context.now()
    try:
        report = seeding.seed_base(now=now)
        demo_report = seeding.seed_demo(now=now, fast_hash=context.fast_hash()) if demo else None
    except ServiceError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    created = dict(report.created)
    if demo_report:
        for key, n in demo_report.created.items():
            created[key] = created.get(key, 0) + n
    summary = "，".join(f"{k} {v}" for k, v in created.items() if v) or "无变化（数据已存在）"
    click.echo(f"种子数据已载入：{summary}")
    if demo_report:
        click.echo(f"演示账号（密码均为 {demo_report.demo_password}）：")
        for email, role, unit in demo_report.demo_accounts:
            click.echo(f"  {email:<24} {role}{'（' + unit + '）' if unit else ''}")


@users_cli.command("create")
@click.option("--email", required=True, help="登录邮箱。")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="角色。")
@click.option("--unit", "unit_name", default=None, help="所属单位名称（联络员、观察点必填）。")
@click.option("--name", default=None, help="姓名（默认取邮箱前缀）。")
@click.option("--password", default=None, help="密码；省略时从标准输入读取。")
@click.option("--work-group", "group_ref", default=None,
              help="所属工作专班（id 或名称；默认省级专班）：单位在该专班中查找，专班办公室账号属于该专班。")
def users_create(email: str, role: str, unit_name: str | None, name: str | None, password: str | None,
                 group_ref: str | None) -> None:
    """Create an account (in the provincial work group, or in --work-group)."""
    group = None
    if group_ref:
        group = _work_group(group_ref)
        if group is None:
            _fail(f"工作专班“{group_ref}”不存在")
            return
    unit = None
    if unit_name:
        unit = units.find_unit(unit_name, group)
        if unit is None:
            _fail(f"单位“{unit_name}”不存在" + (f"于{group.name}" if group else ""))
            return
    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = users.create_user(actor=None, email=email, name=name or "", role=Role(role), unit=unit,
                                 password=password, now=context.now(), fast_hash=context.fast_hash(),
                                 work_group=group)
    except ServiceError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    click.echo(f"已创建账号 {user.email}（{user.role.label}{'，' + unit.name if unit else ''}）")


def _work_group(ref: str) -> WorkGroup | None:
    """The work group an operator names by id or by exact name."""
    text = ref.strip()
    if text.isdigit():
        return db.session.get(WorkGroup, int(text)) if len(text) < 10 else None
    return db.session.scalar(sa.select(WorkGroup).where(WorkGroup.name == text))


@users_cli.command("token")
@click.option("--email", required=True, help="账号邮箱。")
def users_token(email: str) -> None:
    """Issue a new API bearer token; it is printed as the last line, once."""
    user = users.find_by_email(email)
    if user is None:
        _fail(f"账号 {email} 不存在")
        return
    try:
        token = users.issue_token(user, actor=None, now=context.now())
    except ServiceError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    click.echo(f"已为 {user.email} 签发 API 令牌（只显示这一次，请妥善保存）：")
    click.echo(token)


@plan_cli.command("export")
@click.option("--plan", "plan_id", required=True, type=int, help="计划 id。")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="输出文件。")
@dated
def plan_export(plan_id: int, fmt: str, output: str) -> None:
    """Write a plan's task table with each unit's status and latest narrative to a file."""
    from tasktrack.services import exports

    try:
        _name, content = exports.export_plan(plan_id, fmt, context.today())
    except ServiceError as exc:
        _fail(exc.message)
        return
    with open(output, "wb") as fh:
        fh.write(content)
    click.echo(f"已导出 {output}（{len(content)} 字节）")


@plan_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--title", default=None, help="计划名称（默认取文件中的标题）。")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="年度（默认从文件中识别）。")
@click.option("--dry-run", is_flag=True, help="只显示识别结果和问题，不保存任何内容。")
@click.option("--publish", is_flag=True, help="没有待处理的问题时直接发布。")
@dated
def plan_import(file: str, title: str | None, year: int | None, dry_run: bool, publish: bool) -> None:
    """Read a plan document (.docx .xlsx .pdf .txt .tsv) into a draft for review on the 导入工作计划 page."""
    from tasktrack.services import plan_imports

    path = Path(file)
    received = plan_imports.Received(path.read_bytes(), path.name)
    try:
        imp = plan_imports.start(received, title=title, year=year, actor=None, now=context.now())
        review = plan_imports.review_of(imp)
    except plan_imports.AlreadyImported as exc:
        _fail(f"{exc.message}（导入草稿 {exc.existing.id}）")
        return
    except ServiceError as exc:
        _fail(exc.message)
        return
    period = f"{imp.year}—{imp.end_year}" if imp.end_year else str(imp.year)
    click.echo(f"《{imp.title}》（{period}年）：{len(imp.rows)}项任务，识别方式 {imp.layout}")
    for line in imp.notes.splitlines():
        click.echo(f"  {line}")
    for r in review.rows:
        mark = "✗" if r.problems else "✓"
        click.echo(f"{mark} {r.row.number:>3}. [{r.row.section_number}、{r.row.section_title}] {r.row.text[:40]}")
        click.echo(f"       完成时间：{r.row.deadline_phrase or '（未写）'}  {r.deadline_reading}")
        click.echo(f"       责任单位：{r.row.responsible_phrase or '（未写）'}")
        for problem in r.problems:
            click.echo(f"       问题：{problem.message}")
    click.echo(f"共 {review.problem_count} 处问题")
    if dry_run:
        db.session.rollback()
        click.echo("（试运行，未保存任何内容）")
        return
    if publish:
        try:
            plan = plan_imports.publish(imp, actor=None, now=context.now())
        except ServiceError as exc:
            db.session.commit()  # the draft stays for review
            click.echo(f"未发布：{exc.message}；草稿已保存（导入草稿 {imp.id}），请在“导入工作计划”页面处理", err=True)
            sys.exit(2)
        db.session.commit()
        click.echo(f"已发布计划 {plan.id}《{plan.title}》")
        return
    db.session.commit()
    click.echo(f"草稿已保存（导入草稿 {imp.id}），请在“导入工作计划”页面逐行核对后发布：/plans/import/{imp.id}")


@plan_cli.command("next-year")
@click.option("--plan", "plan_id", required=True, type=int, help="原计划 id。")
@click.option("--year", type=int, default=None, help="新计划的起始年度（默认：原计划结束的下一年）。")
@dated
def plan_next_year(plan_id: int, year: int | None) -> None:
    """新建年度计划: copy a plan into next year's draft (deadline years moved) for review and publishing."""
    from tasktrack.services import plan_imports
    from tasktrack.services import plan_next_year as next_year

    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.is_deleted:
        _fail(f"计划 {plan_id} 不存在")
        return
    try:
        imp = next_year.next_year_draft(plan, year=year, actor=None, now=context.now())
    except plan_imports.AlreadyImported as exc:
        _fail(f"{exc.message}（导入草稿 {exc.existing.id}）")
        return
    except ServiceError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    period = f"{imp.year}—{imp.end_year}" if imp.end_year else str(imp.year)
    click.echo(f"已由《{plan.title}》生成《{imp.title}》（{period}年）草稿：{len(imp.rows)}项任务（导入草稿 {imp.id}）")
    for line in imp.notes.splitlines():
        click.echo(f"  {line}")
    click.echo(f"请在“导入工作计划”页面逐行核对后发布：/plans/import/{imp.id}")


# -- reminders, digests, outbox, scheduler (DESIGN §4) -------------------------------------------

reminders_cli = AppGroup("reminders", help="到期提醒：计算并写入今天的提醒邮件。")
digest_cli = AppGroup("digest", help="每周摘要。")
outbox_cli = AppGroup("outbox", help="发件箱：立即投递待发送的邮件。")


def init_reminder_commands(app: Flask) -> None:
    """Register the reminder, digest, outbox and scheduler commands."""
    app.cli.add_command(reminders_cli)
    app.cli.add_command(digest_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(scheduler_command)


@reminders_cli.command("run")
@click.option("--dry-run", is_flag=True, help="只显示将要发送的邮件，不写入任何数据。")
@dated
def reminders_run(dry_run: bool) -> None:
    """Queue today's reminder e-mails (one per unit), or show them with --dry-run."""
    from tasktrack.services import reminders

    typed = settings()
    today = context.today()
    if dry_run:
        planned = reminders.plan_messages(today, typed.reminders, base_url=typed.base_url)
        db.session.rollback()
        for message in planned:
            to = "、".join(message.to) or "（无收件地址，将记入专班摘要）"
            click.echo(f"{message.unit.name} → {to}")
            click.echo(f"  主题：{message.subject}")
            for view in message.items:
                click.echo(f"  - 【{view.label}】{view.title}")
        click.echo(f"共 {len(planned)} 封（试运行，未写入）")
        return
    report = reminders.run_sweep(today, typed.reminders, base_url=typed.base_url, now=context.now())
    db.session.commit()
    click.echo(f"已写入 {len(report.queued)} 封提醒邮件，共 {report.items} 项")
    for name in report.undeliverable_units:
        click.echo(f"  无收件地址：{name}（已记入专班摘要）")


@digest_cli.command("send")
@dated
def digest_send() -> None:
    """Queue the weekly digests that are due (liaisons' chosen weekdays, the secretariat's)."""
    from tasktrack.services import digests

    typed = settings()
    report = digests.send_all(context.today(), now=context.now(), base_url=typed.base_url,
                              weekday=typed.digest_weekday)
    db.session.commit()
    click.echo(f"已写入 {len(report.queued)} 封摘要（无内容跳过 {report.skipped_empty}，已暂停 {report.paused}）")


@outbox_cli.command("deliver")
@click.option("--limit", type=int, default=None, help="最多处理多少封。")
@click.option("--respect-backoff", is_flag=True,
              help="像调度器一样，跳过失败后仍在退避等待中的邮件（供 cron 定时使用）。")
@dated
def outbox_deliver(limit: int | None, respect_backoff: bool) -> None:
    """Send the outbox now, also outside office hours: every pending and failed message, backoff or not."""
    from tasktrack.models import NotificationStatus
    from tasktrack.services import outbox

    typed = settings()
    report = outbox.deliver_due(typed.smtp, robot_settings=typed.robots, now=context.now, policy=typed.delivery,
                                limit=limit, ignore_backoff=not respect_backoff)
    click.echo(f"已发送 {len(report.sent)} 封，稍后重试 {len(report.retried)} 封，无法投递 {len(report.dead)} 封")
    dead = outbox.status_counts()[NotificationStatus.DEAD]
    if dead:
        click.echo(f"发件箱中有 {dead} 封无法投递的邮件，不会自动重发：请在发件箱页面查看原因并重新发送")


@click.command("scheduler")
@dated
def scheduler_command() -> None:
    """Run the one scheduler process (stands by while another one holds the lock)."""
    from tasktrack import scheduler

    scheduler.run(current_app._get_current_object())  # type: ignore[attr-defined]  # current_app is typed as Flask, not its proxy
