"""The 选民登记情况统计表: its columns, titles and notes, shared by the workbook and the PDF.

One row per sub-region of the area plus 合计; the columns are the categories people report
(voter-rules.md §Statistics). Figures only: no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from renda.regions.codes import Level
from renda.stats.figures import Figures
from renda.stats.selectors import Report


@dataclass(frozen=True)
class Column:
    key: str  # a Figures attribute; "rate" is the percentage
    title: str
    group: str = ""  # the merged header above it
    weight: float = 1.0  # relative width (Excel characters ≈ 8 × weight)


def table_columns() -> list[Column]:
    """The categories of the table, left to right (translated when called)."""
    added, removed = _("新增"), _("减少")
    sex, age = _("性别"), _("年龄")
    return [
        Column("districts", _("选区数")),
        Column("expected", _("应登记"), weight=1.3),
        Column("listed", _("已登记"), weight=1.3),
        Column("rate", _("登记率"), weight=1.1),
        Column("newly_18", _("新满18周岁"), added),
        Column("restored", _("恢复政治权利"), added, weight=1.15),
        Column("moved_in", _("迁入"), added),
        Column("deceased", _("死亡"), removed),
        Column("deprived", _("被剥夺政治权利"), removed, weight=1.15),
        Column("moved_out", _("迁出"), removed),
        Column("not_listed", _("不列入"), weight=0.9),
        Column("suspended", _("停止行使"), weight=0.9),
        Column("certificates_issued", _("开具证明"), weight=0.9),
        Column("certificate_holders", _("持证登记"), weight=0.9),
        Column("proxies", _("委托投票"), weight=0.9),
        Column("mobile_box", _("流动票箱"), weight=0.9),
        Column("male", _("男"), sex, weight=1.1),
        Column("female", _("女"), sex, weight=1.1),
        Column("age_18_35", _("18—35岁"), age, weight=1.25),
        Column("age_36_59", _("36—59岁"), age, weight=1.25),
        Column("age_60_plus", _("60岁以上"), age, weight=1.25),
        Column("minority", _("少数民族"), weight=0.9),
    ]


def value_of(figures: Figures, key: str) -> int | Decimal | None:
    if key == "rate":
        return figures.rate
    value: int = getattr(figures, key)
    return value


def table_title(report: Report) -> str:
    return _("%(place)s选民登记情况统计表") % {"place": report.place.name}


def table_subtitle(report: Report) -> str:
    stamp = timezone.localtime(report.as_of)
    return _("%(election)s　　统计时间：%(time)s　　单位：人") % {
        "election": report.election.name,
        "time": f"{stamp.year}年{stamp.month}月{stamp.day}日 {stamp:%H:%M}",
    }


def first_header(report: Report) -> str:
    return _("选区") if report.place.level >= Level.TOWNSHIP else _("地区")


def table_note() -> str:
    return _(
        "注：已登记 = 登记在册的选民（含停止行使选举权利的）；登记率 = 已登记 ÷ 应登记，"
        "应登记来自基础数据；新增、减少为本次选举登记的变动人数；性别、年龄、民族按登记在册、"
        "不列入、停止行使和开具证明的选民统计。"
    )


def header_spans(columns: Sequence[Column]) -> list[tuple[int, int, str]]:
    """Runs of neighbouring columns under one group header: (first, last, group)."""
    spans: list[tuple[int, int, str]] = []
    for i, column in enumerate(columns):
        if column.group and spans and spans[-1][2] == column.group and spans[-1][1] == i - 1:
            spans[-1] = (spans[-1][0], i, column.group)
        elif column.group:
            spans.append((i, i, column.group))
    return spans


def generated_stamp(when: datetime | None = None) -> str:
    return f"{timezone.localtime(when or timezone.now()):%Y-%m-%d %H:%M}"
