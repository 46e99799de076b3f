"""`flask --app wsgi audit list`: read the audit trail from the command line (the page's filters and CSV)."""

from __future__ import annotations

import logging
import unicodedata
from typing import IO

import click
from flask.cli import AppGroup

from tasktrack import db_engine
from tasktrack.services import audit_csv, audit_filter, audit_log

logger = logging.getLogger(__name__)

audit_cli = AppGroup("audit", help="操作日志：查询谁在何时对什么做了什么操作。")

DEFAULT_LIMIT = 50
#: The query field of each option, for error messages.
OPTIONS = {"user": "--user", "unit": "--unit", "object": "--object", "object_id": "--object", "action": "--action",
           "from": "--from", "to": "--to"}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Pad (or cut, with …) to a display width, counting Chinese characters as two columns."""
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def terminal_safe(text: str) -> str:
    """Return text with control characters shown as \\xNN, so stored text cannot drive the terminal."""
    return "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _table(rows: list[audit_log.EventRow], out: IO[str]) -> None:
    columns = (("时间", 19), ("操作人", 30), ("单位", 16), ("操作", 18), ("对象", 18))
    out.write("  ".join(_fit(name, width) for name, width in columns) + "  说明\n")
    for row in rows:
        who = "系统" if row.is_system else f"{row.actor_name} <{row.actor_email}>"
        obj = row.object_label + (f" #{row.object_id}" if row.object_id is not None else "")
        cells = (row.local_time, who, row.unit_name or "—", row.action_label, obj)
        line = "  ".join(_fit(terminal_safe(c), width) for c, (_, width) in zip(cells, columns, strict=True))
        out.write(f"{line}  {terminal_safe(row.summary)}\n")


@audit_cli.command("list")
@click.option("--user", default=None, metavar="EMAIL", help="操作人的登录邮箱；system 表示系统（种子数据、定时任务）。")
@click.option("--unit", default=None, metavar="NAME", help="操作人当时所属单位的名称（或编号）。")
@click.option("--object", "obj", default=None, metavar="TYPE[:ID]",
              help="对象类型及编号，如 Assignment:12 或 任务分配:12。")
@click.option("--action", default=None, metavar="A",
              help="操作代码（如 progress.report），或类别（如 user，即 user.* 全部）。")
@click.option("--from", "date_from", default=None, metavar="DATE", help="开始日期（含），北京时间，如 2024-07-01。")
@click.option("--to", "date_to", default=None, metavar="DATE", help="结束日期（含），北京时间。")
@click.option("--limit", type=click.IntRange(1, 2**31 - 1), default=None,
              help=f"最多输出多少条（表格默认 {DEFAULT_LIMIT}；--csv 默认全部）。")
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV（与页面下载的相同，UTF-8 带 BOM）。")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="写入文件而不是标准输出。")
def audit_list(user: str | None, unit: str | None, obj: str | None, action: str | None, date_from: str | None,
               date_to: str | None, limit: int | None, as_csv: bool, output: str | None) -> None:
    """List audit events newest first (a table, or the page's CSV with --csv)."""
    object_type, _, object_id = (obj or "").partition(":")
    if obj is not None and ":" in obj and not object_id.strip():
        raise click.BadParameter("冒号后应为对象编号，如 Assignment:12", param_hint="--object")
    raw = {"user": user, "unit": unit, "object": object_type, "object_id": object_id, "action": action,
           "from": date_from, "to": date_to}
    with db_engine.read_only():
        try:
            flt = audit_filter.parse_filter(raw)
        except audit_filter.FilterErrors as exc:
            hints = sorted({OPTIONS[name] for name in exc.errors})
            raise click.BadParameter("；".join(exc.errors.values()), param_hint=hints) from exc
        if as_csv:
            stream = audit_csv.CsvStream(flt, limit=limit)
            with click.open_file(output or "-", "wb") as fh:
                for chunk in stream:
                    fh.write(chunk)
            if output:
                click.echo(f"已导出 {stream.count} 条到 {output}", err=True)
            logger.info("audit log CSV written by the command line: %s", audit_filter.describe_filter(flt))
            return
        page = audit_log.search(flt, per_page=limit or DEFAULT_LIMIT)
    with click.open_file(output or "-", "w", encoding="utf-8") as out:
        _table(page.rows, out)
        shown = len(page.rows)
        more = "" if shown == page.total else "（--limit 可调整）"
        out.write(f"共 {page.total} 条，显示最新 {shown} 条{more}\n")
