"""How the audit trail reads to people: Chinese names of action codes, object types and fields, and the
before/after of an event as a list of readable changes ("状态：未开始 → 推进中").

Codes we have no name for are shown as they are (a new service may record a new action before this table
learns it). Values are never rewritten: user text is returned exactly as stored; only codes (enum values
given in ``value_labels``), booleans and absent values get a Chinese word.

Pure functions, no Flask.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Action code → what the secretariat reads. Grouped by the code's area (the part before the dot).
ACTION_LABELS: dict[str, str] = {
    "user.create": "创建账号",
    "user.update": "修改账号",
    "user.activate": "启用账号",
    "user.deactivate": "停用账号",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "user.login": "登录",
    "user.logout": "退出登录",
    "token.create": "签发 API 令牌",
    "calendar.token": "生成日历订阅地址",
    "digest.preference": "设置每周摘要",
    "unit.create": "新增单位",
    "unit.update": "修改单位",
    "unit.robot": "设置单位钉钉机器人",
    "user.robot": "设置个人钉钉机器人",
    "category.create": "新增单位类别",
    "work_group.create": "新建工作专班",
    "work_group.reminders": "修改专班提醒设置",
    "alias.create": "名称对应到已有单位或类别",
    "plan_import.create": "导入计划文件生成草稿",
    "plan_import.header": "修改导入草稿的计划信息",
    "plan_import.row": "修改导入草稿的任务行",
    "plan_import.row_add": "导入草稿新增任务行",
    "plan_import.row_delete": "删除导入草稿的任务行",
    "plan_import.fill": "导入草稿批量填写",
    "plan_import.publish": "发布导入的计划",
    "plan_import.discard": "放弃导入草稿",
    "plan_import.target": "修改导入草稿的指标",
    "plan_import.target_add": "导入草稿新增指标",
    "plan_import.next_year": "由已有计划生成下一年度草稿",
    "plan.create": "导入工作计划",
    "plan.case_task": "设置案例报送对应任务",
    "plan.focus_deadline": "设置工作重点选择截止日期",
    "plan.targets": "设定计划指标",
    "task.create": "新增任务",
    "task.update": "修改任务",
    "task_link.create": "分解上级下达任务",
    "task_link.delete": "取消上级下达任务的分解",
    "assignment.open": "分配任务",
    "assignment.reopen": "重新分配任务",
    "assignment.close": "结束任务分配",
    "assignment.carry_over": "结转上年度任务",
    "assignment.urge": "催办",
    "assignment.acknowledge": "签收任务",
    "assignment.handler": "修改承办人",
    "progress.report": "报送进展",
    "progress.confirm": "确认办结",
    "progress.send_back": "退回办结",
    "progress.reopen": "重新打开已办结任务",
    "extension.request": "申请延期",
    "extension.approve": "同意延期",
    "extension.refuse": "不同意延期",
    "attachment.upload": "上传附件",
    "focus_item.create": "新增工作重点",
    "focus.choose": "选择工作重点",
    "focus.reopen": "重新开放工作重点选择",
    "pilot_log.create": "记录试点工作",
    "case.submit": "报送案例",
    "case.resubmit": "重新报送案例",
    "case.accept": "采用案例",
    "case.return": "退回案例",
    "case.feature": "选入案例汇编",
    "case.unfeature": "移出案例汇编",
    "case.feature_order": "调整案例汇编顺序",
    "notification.queue": "写入发件箱",
    "notification.resend": "重新发送邮件",
    "matter.create": "登记交办事项",
    "matter.update": "修改交办事项",
    "meeting.create": "登记联络员会议",
    "meeting.update": "记录会议纪要与出席情况",
}

#: Area (the part of a code before the first dot) → its name, for "all actions of an area".
AREA_LABELS: dict[str, str] = {
    "user": "账号", "token": "API 令牌", "calendar": "日历订阅", "digest": "每周摘要", "unit": "单位",
    "category": "单位类别", "plan": "工作计划", "task": "任务", "assignment": "任务分配", "progress": "进展报送",
    "extension": "延期", "attachment": "附件", "focus_item": "工作重点条目", "focus": "工作重点选择",
    "pilot_log": "试点工作", "case": "案例", "notification": "邮件", "work_group": "工作专班",
    "alias": "名称对应", "plan_import": "计划导入", "task_link": "任务分解", "matter": "交办事项",
    "meeting": "联络员会议",
}

#: Object type (the model's class name, as recorded) → its Chinese name.
OBJECT_LABELS: dict[str, str] = {
    "User": "账号",
    "ApiToken": "API 令牌",
    "CalendarToken": "日历订阅",
    "Unit": "单位",
    "Category": "单位类别",
    "Plan": "工作计划",
    "Task": "任务",
    "TaskLink": "任务分解",
    "Assignment": "任务分配",
    "ProgressReport": "进展报送",
    "ExtensionRequest": "延期申请",
    "Attachment": "附件",
    "FocusItem": "工作重点",
    "FocusChoice": "工作重点选择",
    "FocusReopen": "重新开放记录",
    "PilotLog": "试点工作记录",
    "CaseReport": "案例",
    "Notification": "邮件",
    "WorkGroup": "工作专班",
    "NameAlias": "名称对应",
    "PlanImport": "计划导入草稿",
    "Matter": "交办事项",
    "Meeting": "联络员会议",
}

#: Field names found in before/after → Chinese.
FIELD_LABELS: dict[str, str] = {
    "dingtalk_webhook": "钉钉机器人地址", "dingtalk_secret": "钉钉加签密钥", "channel": "发送渠道",
    "email": "邮箱", "name": "名称", "role": "角色", "unit_id": "单位编号", "phone": "电话", "is_active": "启用",
    "status": "状态", "percent": "进度", "completed_on": "完成日期", "narrative": "进展情况",
    "completion_state": "办结状态", "note": "意见", "reason": "原因", "attachments": "附件编号",
    "supersedes_id": "更正的报送编号", "number": "序号", "text": "任务内容", "deadline_phrase": "完成时限",
    "deadline_kind": "时限类型", "due_date": "截止日期", "period_months": "周期（月）",
    "responsible_phrase": "责任单位", "section_id": "所属部分编号", "kind": "类型", "contact_emails": "联系邮箱",
    "leader_email": "负责同志邮箱", "parent_id": "上级单位编号", "category_names": "单位类别", "version": "版本",
    "title": "标题", "feature_order": "汇编顺序", "order": "顺序", "weekday": "摘要发送日", "is_paused": "暂停",
    "requested_due": "申请延至", "current_due": "原截止日期", "decision_note": "审核意见", "extended_due": "延期至",
    "sha256": "SHA-256", "focus_choice_deadline": "工作重点选择截止日期", "late": "逾期提交",
    "items": "工作重点", "case_task_number": "案例报送对应任务序号", "attempts": "已尝试次数",
    "alias": "名称", "target": "对应到", "section_number": "主要任务序号", "section_title": "主要任务",
    "year": "年度", "end_year": "结束年度", "issuer": "发文单位", "document_number": "文号", "issued_on": "印发日期",
    "report_period_months": "报送周期（月）", "source_sha256": "来源文件 SHA-256", "rows": "任务行",
    "layout": "识别方式", "plan_id": "计划编号", "tasks": "任务数", "field": "字段", "phrase": "填入内容",
    "is_kept": "保留", "attached_to": "归属", "targets": "指标", "target_values": "指标当前值",
    "derived_from_id": "来源计划编号", "carried_from_id": "结转自任务分配编号", "task_id": "任务编号",
    "closed_reason": "关闭原因", "source": "来源", "reference": "依据", "meeting_id": "会议编号",
    "held_on": "会议日期", "place": "会议地点", "agenda": "会议议程", "minutes": "会议纪要", "invited": "参会单位",
    "present": "出席单位",
}

ABSENT = "（空）"


def action_label(code: str) -> str:
    """Return the Chinese name of an action code, or the code itself when it has none."""
    return ACTION_LABELS.get(code, code)


def object_label(object_type: str) -> str:
    """Return the Chinese name of an object type, or the type itself when it has none."""
    return OBJECT_LABELS.get(object_type, object_type)


def field_label(name: str) -> str:
    """Return the Chinese name of a before/after field, or the name itself."""
    return FIELD_LABELS.get(name, name)


def action_from_label(text: str) -> str | None:
    """Return the code whose Chinese name is ``text`` (for typed filters), or None."""
    for code, label in ACTION_LABELS.items():
        if label == text:
            return code
    return None


def object_type_from_text(text: str) -> str | None:
    """Return the known object type named by ``text`` (class name in any case, or its Chinese name), or None."""
    lowered = text.lower()
    for object_type, label in OBJECT_LABELS.items():
        if object_type.lower() == lowered or label == text:
            return object_type
    return None


@dataclass(frozen=True)
class Change:
    """One field of an event: ``old`` and ``new`` are display strings, None where the side has no value."""

    field: str
    label: str
    old: str | None
    new: str | None
    #: Whether a side was stored as null (displayed as （空）, which a page may style apart from user text).
    old_null: bool = False
    new_null: bool = False

    @property
    def kind(self) -> str:
        """"set" (only after has it), "before" (only before has it: not recorded after) or "changed"."""
        if self.old is None:
            return "set"
        if self.new is None:
            return "before"
        return "changed"

    def line(self) -> str:
        """Return the change as one line: "标签：旧 → 新", "标签：新" or "标签：原为 旧"."""
        if self.kind == "set":
            return f"{self.label}：{self.new}"
        if self.kind == "before":
            return f"{self.label}：原为 {self.old}"
        return f"{self.label}：{self.old} → {self.new}"


def display(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """Return a stored value as text: strings exactly as stored, codes through ``labels``, 是/否, （空）."""
    if value is None:
        return ABSENT
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return labels.get(value, value) if labels else value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "、".join(display(v, labels) for v in value) if value else "（无）"
    return json.dumps(value, ensure_ascii=False)


_MISSING = object()


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _is_map_or_none(value: Any) -> bool:
    return value is None or value is _MISSING or isinstance(value, Mapping)


def changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    value_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Change]:
    """Return the fields that differ between ``before`` and ``after`` (and the non-empty fields of a side alone).

    A field whose both sides are mappings (a unit's focus items and their plans) is compared key by key,
    labelled "工作重点 · 财务管理". ``value_labels`` names the codes of a field (e.g. status values).
    """
    before = before or {}
    after = after or {}
    names = list(after) + [k for k in before if k not in after]
    result: list[Change] = []
    for name in names:
        old, new = before.get(name, _MISSING), after.get(name, _MISSING)
        if old == new or (old is _MISSING and _is_empty(new)) or (new is _MISSING and _is_empty(old)):
            continue  # unchanged, or a side alone that says nothing (a new report's empty correction reason)
        label = field_label(name)
        if _is_map_or_none(old) and _is_map_or_none(new) and (isinstance(old, Mapping) or isinstance(new, Mapping)):
            sub = changes(old if isinstance(old, Mapping) else None, new if isinstance(new, Mapping) else None)
            result.extend(Change(f"{name}.{c.field}", f"{label} · {c.field}", c.old, c.new) for c in sub)
            continue
        labels = (value_labels or {}).get(name)
        result.append(Change(name, label, None if old is _MISSING else display(old, labels),
                             None if new is _MISSING else display(new, labels), old_null=old is None,
                             new_null=new is None))
    return result
