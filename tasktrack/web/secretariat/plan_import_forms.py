"""Forms of the plan import pages (导入工作计划 and the draft's review page)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tasktrack.models import PlanImportRow, UnitKind
from tasktrack.web.secretariat.forms import MultiCheckboxField

_YEAR = "年度须在 2000—2100 之间"
_PERIODS = [(1, "每月"), (2, "每两个月"), (3, "每季度"), (6, "每半年"), (12, "每年")]


class ImportForm(FlaskForm):
    """Upload a plan document, or paste its text."""

    file = FileField("计划文件（.docx、.xlsx、.pdf、.txt、.tsv）")
    text = TextAreaField("或粘贴计划文本", validators=[Optional(), Length(max=500_000)])
    title = StringField("计划名称（不填则取文件中的标题）", validators=[Optional(), Length(max=200)])
    year = IntegerField("年度（不填则从文件中识别）", validators=[Optional(), NumberRange(2000, 2100, _YEAR)])


class VersionForm(FlaskForm):
    """A button or table form on a draft: carries the version the page was read at."""

    version = HiddenField(validators=[DataRequired()])


class HeaderForm(VersionForm):
    """The draft's plan header."""

    title = StringField("计划名称", validators=[DataRequired("请填写计划名称"), Length(max=200)])
    year = IntegerField("起始年度", validators=[DataRequired("请填写年度"), NumberRange(2000, 2100, _YEAR)])
    end_year = IntegerField("结束年度（跨年度计划填写）", validators=[Optional(), NumberRange(2000, 2110, _YEAR)])
    issuer = StringField("发文单位", validators=[Optional(), Length(max=200)])
    document_number = StringField("文号", validators=[Optional(), Length(max=200)])
    issued_on = DateField("印发日期", validators=[Optional()])
    report_period_months = SelectField("常态任务报送周期", coerce=int, choices=_PERIODS)


class FillForm(VersionForm):
    """Write one phrase into every row that lacks it."""

    field = HiddenField(validators=[DataRequired()])
    phrase = StringField("填入", validators=[DataRequired("请填写要填入的内容"), Length(max=500)])


class NewUnitForm(VersionForm):
    """新建单位 for a name the document uses."""

    name = HiddenField(validators=[DataRequired()])
    kind = SelectField("单位类型", choices=[(k.value, k.label) for k in UnitKind])
    categories = MultiCheckboxField("加入类别", coerce=int, choices=[])


class MapNameForm(VersionForm):
    """对应到已有单位或类别 for a name the document uses."""

    name = HiddenField(validators=[DataRequired()])
    target = SelectField("对应到", choices=[], validate_choice=True)


class TargetAddForm(VersionForm):
    """Add a target typed as "名称 ≥ 数值 单位", for the whole plan or one task."""

    text = StringField("指标", validators=[DataRequired("请填写指标，例如“党建入章率 ≥ 98%”"), Length(max=300)])
    row = SelectField("归属", choices=[], validate_choice=True)


def scope_choices(rows: list[PlanImportRow]) -> list[tuple[str, str]]:
    """Return what a draft's target may measure: the whole plan ("") or one of its rows (by id)."""
    return [("", "全计划"), *((str(r.id), f"任务 {r.number}：{r.text[:24]}") for r in rows)]
