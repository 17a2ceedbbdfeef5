"""The report table on A4 landscape pages (ReportLab, the project's embedded CJK fonts:
decision 0016)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

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
from renda.voters.exports.common import in_chinese, new_canvas
from renda.voters.fonts import draw, wrap

PAGE = landscape(A4)
MARGIN = 10 * mm
FONT = 7.5
ROW = 15.0
GROUP_ROW = 13.0
SUB_ROW = 22.0
NAME_WEIGHT = 2.6


@dataclass(frozen=True)
class _Grid:
    edges: list[float]  # x of each column boundary, the name column first
    table_top: float
    body_top: float
    rows_per_page: int


def _grid(columns: list[Column]) -> _Grid:
    width_, height = PAGE
    weights = [NAME_WEIGHT, *(c.weight for c in columns)]
    unit = (width_ - 2 * MARGIN) / sum(weights)
    edges = [MARGIN]
    for weight in weights:
        edges.append(edges[-1] + weight * unit)
    table_top = height - MARGIN - 42
    body_top = table_top - GROUP_ROW - SUB_ROW
    rows = int((body_top - MARGIN - 30) // ROW)
    return _Grid(edges, table_top, body_top, max(1, rows))


def _balanced(text: str, size: float, room: float) -> list[str]:
    """Lines for a header cell, as even as possible: 停止/行使 rather than 停止行/使 (text with
    digits or Latin letters keeps the plain wrap, so 新满18 stays whole)."""
    lines = wrap(text, size, room)
    if len(lines) < 2 or not all(ord(c) >= 0x2E80 for c in text):
        return lines
    per = math.ceil(len(text) / len(lines))
    even = [text[i : i + per] for i in range(0, len(text), per)]
    return even if len(even) == len(lines) else lines


def _centred_lines(canvas: Any, x0: float, x1: float, top: float, bottom: float, text: str) -> None:
    room = x1 - x0 - 3
    lines = _balanced(text, FONT, room)[:3]
    size = FONT if len(lines) <= 2 else FONT * 0.85
    middle = (top + bottom) / 2
    first = middle + (len(lines) - 1) * size * 0.6 - size * 0.35
    for k, line in enumerate(lines):
        draw(canvas, (x0 + x1) / 2, first - k * size * 1.2, line, size, align="center", room=room)


def _pdf_headers(canvas: Any, grid: _Grid, columns: list[Column], first: str) -> None:
    edges, top, body = grid.edges, grid.table_top, grid.body_top
    middle = top - GROUP_ROW
    canvas.setFillGray(0.9)
    canvas.rect(edges[0], body, edges[-1] - edges[0], top - body, stroke=0, fill=1)
    canvas.setFillGray(0)
    canvas.setLineWidth(0.4)
    _centred_lines(canvas, edges[0], edges[1], top, body, first)
    spans = header_spans(columns)
    grouped = {i for start, end, _g in spans for i in range(start, end + 1)}
    for start, end, group in spans:
        _centred_lines(canvas, edges[start + 1], edges[end + 2], top, middle, group)
        canvas.line(edges[start + 1], middle, edges[end + 2], middle)
    for i, column in enumerate(columns):
        upper = middle if i in grouped else top
        _centred_lines(canvas, edges[i + 1], edges[i + 2], upper, body, column.title)
        inner = i > 0 and columns[i - 1].group == column.group and column.group
        canvas.line(edges[i + 1], middle if inner else top, edges[i + 1], body)
    canvas.rect(edges[0], body, edges[-1] - edges[0], top - body, stroke=1, fill=0)


def _cell_text(value: int | Decimal | None, key: str) -> str:
    if value is None:
        return "—"
    return f"{value}%" if key == "rate" else str(value)


def _pdf_row(
    canvas: Any, grid: _Grid, columns: list[Column], y: float, name: str, figures: Figures
) -> None:
    edges = grid.edges
    base = y - ROW / 2 - FONT * 0.35
    draw(canvas, edges[0] + 3, base, name, FONT, room=edges[1] - edges[0] - 6)
    for i, column in enumerate(columns):
        text = _cell_text(value_of(figures, column.key), column.key)
        right = edges[i + 2] - 2.5
        draw(canvas, right, base, text, FONT, align="right", room=edges[i + 2] - edges[i + 1] - 4)
    canvas.line(edges[0], y - ROW, edges[-1], y - ROW)


def _pdf_rules(canvas: Any, grid: _Grid, bottom: float) -> None:
    for x in grid.edges:
        canvas.line(x, grid.body_top, x, bottom)


def _pdf_frame(canvas: Any, report: Report, page: int, pages: int, stamp: str) -> None:
    width_, height = PAGE
    draw(
        canvas, width_ / 2, height - MARGIN - 18, table_title(report), 16, align="center", bold=True
    )
    draw(canvas, width_ / 2, height - MARGIN - 34, table_subtitle(report), 8.5, align="center")
    footer = _("生成时间：%(t)s") % {"t": stamp}
    draw(canvas, MARGIN, MARGIN - 2, footer, 7.5)
    number = _("第 %(x)d 页 共 %(y)d 页") % {"x": page, "y": pages}
    draw(canvas, width_ / 2, MARGIN - 2, number, 7.5, align="center")


@in_chinese
def report_pdf(report: Report) -> bytes:
    """The same table on A4 landscape pages, the headers repeated on each, 合计 at the end."""
    columns = table_columns()
    grid = _grid(columns)
    entries: list[tuple[str, Figures, bool]] = [(r.name, r.figures, False) for r in report.rows]
    entries.append((_("合计"), report.total, True))
    pages = max(1, math.ceil(len(entries) / grid.rows_per_page))
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, PAGE, table_title(report), report.election.name)
    stamp = generated_stamp()
    for page in range(pages):
        chunk = entries[page * grid.rows_per_page : (page + 1) * grid.rows_per_page]
        _pdf_frame(canvas, report, page + 1, pages, stamp)
        _pdf_headers(canvas, grid, columns, first_header(report))
        y = grid.body_top
        canvas.setLineWidth(0.3)
        for name, figures, is_total in chunk:
            if is_total:
                canvas.setFillGray(0.94)
                canvas.rect(
                    grid.edges[0], y - ROW, grid.edges[-1] - grid.edges[0], ROW, stroke=0, fill=1
                )
                canvas.setFillGray(0)
            _pdf_row(canvas, grid, columns, y, name, figures)
            y -= ROW
        _pdf_rules(canvas, grid, y)
        if page == pages - 1:
            note = wrap(table_note(), 6.5, grid.edges[-1] - grid.edges[0])
            for k, line in enumerate(note[:3]):
                draw(canvas, grid.edges[0], y - 10 - k * 8.5, line, 6.5)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
