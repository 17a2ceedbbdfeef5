"""The report table as a formatted workbook (XlsxWriter)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from renda.core.spreadsheets import escape_formula
from renda.stats.exports.table import (
    Column,
    first_header,
    generated_stamp,
    header_spans,
    table_columns,
    table_note,
    table_subtitle,
    table_title,
    value_of,
)
from renda.stats.figures import Figures
from renda.stats.selectors import Report
from renda.voters.exports.common import in_chinese


@dataclass(frozen=True)
class _Formats:
    title: Any
    subtitle: Any
    header: Any
    name: Any
    count: Any
    rate: Any
    blank: Any
    total_name: Any
    total_count: Any
    total_rate: Any
    note: Any


def _formats(book: Any) -> _Formats:
    border = {"border": 1, "valign": "vcenter"}
    head = {**border, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#E8ECF2"}
    total = {"bold": True, "bg_color": "#F4F4F4"}
    return _Formats(
        title=book.add_format(
            {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
        ),
        subtitle=book.add_format({"align": "center", "valign": "vcenter", "font_size": 10}),
        header=book.add_format(head),
        name=book.add_format({**border, "num_format": "@"}),
        count=book.add_format({**border, "num_format": "#,##0"}),
        rate=book.add_format({**border, "num_format": "0.00%"}),
        blank=book.add_format({**border, "align": "center"}),
        total_name=book.add_format({**border, **total, "align": "center", "num_format": "@"}),
        total_count=book.add_format({**border, **total, "num_format": "#,##0"}),
        total_rate=book.add_format({**border, **total, "num_format": "0.00%", "align": "right"}),
        note=book.add_format({"text_wrap": True, "valign": "top", "font_size": 9}),
    )


def _write_headers(sheet: Any, fmt: _Formats, columns: list[Column], first: str) -> None:
    """Rows 3–4: a category over its sub-columns, single categories merged down both rows."""
    sheet.merge_range(2, 0, 3, 0, first, fmt.header)
    grouped = {i for start, end, _g in header_spans(columns) for i in range(start, end + 1)}
    for start, end, group in header_spans(columns):
        sheet.merge_range(2, start + 1, 2, end + 1, group, fmt.header)
    for i, column in enumerate(columns):
        if i in grouped:
            sheet.write_string(3, i + 1, column.title, fmt.header)
        else:
            sheet.merge_range(2, i + 1, 3, i + 1, column.title, fmt.header)
        sheet.set_column(i + 1, i + 1, round(8 * column.weight, 1))


def _write_row(sheet: Any, r: int, fmt: _Formats, columns: list[Column], figures: Figures) -> None:
    for i, column in enumerate(columns):
        value = value_of(figures, column.key)
        if value is None:
            sheet.write_string(r, i + 1, "—", fmt.blank)
        elif column.key == "rate":
            sheet.write_number(r, i + 1, float(value) / 100, fmt.rate)
        else:
            sheet.write_number(r, i + 1, int(value), fmt.count)


def _write_totals(
    sheet: Any, r: int, first: int, fmt: _Formats, columns: list[Column], total: Figures
) -> None:
    """合计: SUM formulas over the rows above (with their values cached for readers)."""
    sheet.write_string(r, 0, _("合计"), fmt.total_name)
    letters = {c.key: xl_col_to_name(i + 1) for i, c in enumerate(columns)}
    for i, column in enumerate(columns):
        if column.key == "rate":
            rate = total.rate
            expected, listed = letters["expected"], letters["listed"]
            formula = f'=IF({expected}{r + 1}=0,"—",ROUND({listed}{r + 1}/{expected}{r + 1},4))'
            cached: Any = "—" if rate is None else float(rate) / 100
            sheet.write_formula(r, i + 1, formula, fmt.total_rate, cached)
        else:
            col = letters[column.key]
            formula = f"=SUM({col}{first + 1}:{col}{r})" if r > first else "=0"
            sheet.write_formula(
                r, i + 1, formula, fmt.total_count, int(value_of(total, column.key) or 0)
            )


@in_chinese
def report_xlsx(report: Report) -> bytes:
    """The table as a formatted workbook: merged title and headers, 合计, A4 landscape fitted
    to the page width, headers repeated on every printed page, panes frozen."""
    columns = table_columns()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    book.set_properties({"title": table_title(report), "author": "Renda 智慧人大"})
    sheet = book.add_worksheet(_("登记情况统计表"))
    fmt = _formats(book)
    last = len(columns)
    sheet.merge_range(0, 0, 0, last, escape_formula(table_title(report)), fmt.title)
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, last, escape_formula(table_subtitle(report)), fmt.subtitle)
    sheet.set_row(1, 20)
    _write_headers(sheet, fmt, columns, first_header(report))
    sheet.set_row(3, 30)
    sheet.set_column(0, 0, 20)
    first = 4
    r = first
    for row in report.rows:
        sheet.write_string(r, 0, escape_formula(row.name), fmt.name)
        _write_row(sheet, r, fmt, columns, row.figures)
        r += 1
    _write_totals(sheet, r, first, fmt, columns, report.total)
    sheet.merge_range(r + 2, 0, r + 2, last, table_note(), fmt.note)
    sheet.set_row(r + 2, 42)
    sheet.freeze_panes(first, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.repeat_rows(2, 3)
    sheet.repeat_columns(0)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    stamp = generated_stamp()
    sheet.set_footer(f"&L生成时间：{stamp}&C第 &P 页 共 &N 页&R智慧人大")
    book.close()
    return buffer.getvalue()
