"""`flask --app wsgi work-groups list|create`: the work-group tree, read and grown through the same services."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tasktrack import context
from tasktrack.extensions import db
from tasktrack.models import WorkGroupLevel
from tasktrack.services import ServiceError, work_group_admin, work_groups
from tasktrack.services.read import levels

work_groups_cli = AppGroup("work-groups", help="工作专班：查看专班树，新建下级专班。")


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


@work_groups_cli.command("list")
def list_groups() -> None:
    """Print the tree, indented, with each group's level, plans and counts."""
    try:
        root = work_groups.default_work_group()
    except ServiceError as exc:
        _fail(exc.message)
        return
    nodes = work_group_admin.tree(root)
    stats = {s.group.id: s for s in levels.group_stats([n.group for n in nodes], context.today())}
    for node in nodes:
        s = stats[node.group.id]
        line = (f"{'  ' * node.depth}[{node.group.id}] {node.group.name}（{node.group.level.label}）"
                f" 计划 {s.own.plans} 项，任务分配 {s.own.total}，逾期 {s.own.red}，已完成 {s.own.done}")
        if s.unit is not None:
            line += (f"；代表单位 {s.unit.name}，下达任务 {s.inbound.total}（未分解 {s.inbound.undecomposed}，"
                     f"逾期 {s.inbound.red}，已完成 {s.inbound.done}）")
        click.echo(line)


@work_groups_cli.command("create")
@click.option("--name", required=True, help="专班名称，例如 湖州市清廉社会组织建设工作专班。")
@click.option("--level", required=True, type=click.Choice(["city", "county"]), help="级别：city 市级，county 县级。")
@click.option("--parent", "parent_id", required=True, type=int, help="上级专班 id（见 work-groups list）。")
@click.option("--unit", "unit_name", default=None, help="上级专班中代表它的单位（已有即用，否则新建）。")
def create_group(name: str, level: str, parent_id: int, unit_name: str | None) -> None:
    """Create a work group below a parent, standing in the parent's plans as a unit."""
    try:
        parent = work_group_admin.get_group(parent_id)
        group = work_group_admin.create_work_group(None, name=name, level=WorkGroupLevel(level), parent=parent,
                                                   unit_name=unit_name, now=context.now())
    except ServiceError as exc:
        _fail(exc.message)
        return
    db.session.commit()
    click.echo(f"已新建 [{group.id}] {group.label}，上级 {parent.name}"
               + (f"，代表单位 {unit_name}" if unit_name else ""))
