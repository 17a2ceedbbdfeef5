"""The posted list (选民榜) and its numbered supplements, as PDF for the notice board and as a
workbook. Drawn from the frozen list entries, which hold no ID number."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from renda.core.spreadsheets import escape_formula
from renda.voters import fonts
from renda.voters.exports.common import cn_date, cn_number, committee_name, in_chinese, new_canvas
from renda.voters.fonts import draw, wrap
from renda.voters.models import EntryAction, ListKind, Sex, VoterList


@dataclass(frozen=True)
class Paper:
    size: tuple[float, float]
    blocks: int  # column blocks of entries side by side
    font: float
    row: float
    title: float


PAPERS = {
    "A4": Paper(landscape(A4), blocks=2, font=10, row=15, title=18),
    "A3": Paper(landscape(A3), blocks=3, font=11.5, row=17, title=26),
}
MARGIN = 12 * mm
GUTTER = 7 * mm


@dataclass(frozen=True)
class Column:
    title: str
    weight: float
    align: str


@dataclass(frozen=True)
class ListHead:
    """What every page of one posted list repeats."""

    title: str
    election: str
    published_on: str
    summary: str
    committee: str
    notice: str
    columns: tuple[Column, ...]
    total: int


def _columns(supplement: bool) -> tuple[Column, ...]:
    columns = [
        Column(_("序号"), 0.11, "center"),
        Column(_("姓名"), 0.22, "left"),
        Column(_("性别"), 0.08, "center"),
        Column(_("年龄"), 0.08, "center"),
        Column(_("出生年月"), 0.15, "center"),
        Column(_("村（居）民小组"), 0.36, "left"),
    ]
    if supplement:
        columns.append(Column(_("变动"), 0.10, "center"))
    return tuple(columns)


def list_title(voter_list: VoterList) -> str:
    district = voter_list.district
    place = f"{district.township.name}{district.name}"
    if voter_list.kind == ListKind.SUPPLEMENT:
        return _("%(place)s选民补充名单（第%(n)d号）") % {"place": place, "n": voter_list.number}
    return _("%(place)s选民名单") % {"place": place}


def _summary(voter_list: VoterList, total: int) -> str:
    if voter_list.kind != ListKind.SUPPLEMENT:
        return _("共 %(n)d 人（%(order)s排序）") % {
            "n": total,
            "order": voter_list.get_order_display(),
        }
    counts = {
        row["action"]: row["n"]
        for row in voter_list.entries.order_by().values("action").annotate(n=Count("id"))
    }
    parts = [
        f"{EntryAction(action).label} {counts[action]} 人"
        for action in (EntryAction.ADDED, EntryAction.REMOVED, EntryAction.CORRECTED)
        if counts.get(action)
    ]
    return "　".join(parts) or _("共 %(n)d 人") % {"n": total}


def list_head(voter_list: VoterList) -> ListHead:
    election = voter_list.election
    total = voter_list.entries.count()
    return ListHead(
        title=list_title(voter_list),
        election=election.name,
        published_on=cn_date(timezone.localdate(voter_list.published_at)),
        summary=_summary(voter_list, total),
        committee=committee_name(election, voter_list.district),
        notice=_("对名单有不同意见的，可在名单公布之日起%(n)s日内向选举委员会提出申诉。")
        % {"n": cn_number(election.appeal_days)},
        columns=_columns(voter_list.kind == ListKind.SUPPLEMENT),
        total=total,
    )


def list_rows(voter_list: VoterList, *, supplement: bool) -> Iterator[tuple[str, ...]]:
    """The cells of each entry in posted order, as text. No ID number exists to leak."""
    sexes = {s.value: str(s.label) for s in Sex}
    actions = {a.value: str(a.label) for a in EntryAction}
    entries = voter_list.entries.order_by("seq").values_list(
        "seq", "name", "sex", "age", "birth_year", "birth_month", "group", "action"
    )
    for seq, name, sex, age, year, month, group, action in entries.iterator(chunk_size=2000):
        row = (str(seq), name, sexes.get(sex, ""), str(age), f"{year}.{month:02d}", group)
        yield (*row, actions.get(action, "")) if supplement else row


@dataclass(frozen=True)
class ListGeometry:
    width: float
    height: float
    title_y: float
    election_y: float
    info_y: float
    table_top: float
    header_height: float
    rows: int  # rows of entries per block
    block_width: float
    footer_y: float
    page_y: float


def list_geometry(paper: Paper) -> ListGeometry:
    width, height = paper.size
    title_y = height - MARGIN - paper.title
    election_y = title_y - paper.font * 2.0
    info_y = election_y - paper.font * 1.8
    table_top = info_y - paper.font * 0.9
    header_height = paper.row * 1.2
    page_y = MARGIN
    footer_y = page_y + paper.font * 1.7
    bottom = footer_y + paper.font * 1.4
    rows = max(1, int((table_top - header_height - bottom) // paper.row))
    block_width = (width - 2 * MARGIN - GUTTER * (paper.blocks - 1)) / paper.blocks
    return ListGeometry(
        width=width,
        height=height,
        title_y=title_y,
        election_y=election_y,
        info_y=info_y,
        table_top=table_top,
        header_height=header_height,
        rows=rows,
        block_width=block_width,
        footer_y=footer_y,
        page_y=page_y,
    )


def _list_frame(
    canvas: Canvas, paper: Paper, geo: ListGeometry, head: ListHead, page: int, pages: int
) -> None:
    """Title, election, date and count above; appeal notice, committee and page number below."""
    centre = geo.width / 2
    room = geo.width - 2 * MARGIN
    draw(canvas, centre, geo.title_y, head.title, paper.title, align="center", room=room, bold=True)
    draw(
        canvas, centre, geo.election_y, head.election, paper.font * 1.15, align="center", room=room
    )
    published = _("公布日期：%(d)s") % {"d": head.published_on}
    draw(canvas, MARGIN, geo.info_y, published, paper.font)
    draw(canvas, geo.width - MARGIN, geo.info_y, head.summary, paper.font, align="right")
    small = paper.font * 0.95
    draw(canvas, MARGIN, geo.footer_y, head.notice, small, room=room * 0.62)
    signed = f"{head.committee}　{head.published_on}"
    draw(canvas, geo.width - MARGIN, geo.footer_y, signed, small, align="right", room=room * 0.36)
    number = _("第 %(x)d 页 共 %(y)d 页") % {"x": page, "y": pages}
    draw(canvas, centre, geo.page_y, number, paper.font * 0.9, align="center")


def _list_block(
    canvas: Canvas,
    paper: Paper,
    geo: ListGeometry,
    head: ListHead,
    left: float,
    rows: list[tuple[str, ...]],
) -> None:
    """One column block: a header row and up to ``geo.rows`` entries, ruled as a table."""
    total_weight = sum(c.weight for c in head.columns)
    widths = [geo.block_width * c.weight / total_weight for c in head.columns]
    edges = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    top = geo.table_top
    body_top = top - geo.header_height
    bottom = body_top - paper.row * len(rows)
    pad = paper.font * 0.35
    canvas.setFillGray(0.88)
    canvas.rect(left, body_top, geo.block_width, geo.header_height, stroke=0, fill=1)
    canvas.setFillGray(0)
    header_base = body_top + geo.header_height / 2 - paper.font * 0.35
    for column, x0, w in zip(head.columns, edges, widths, strict=False):
        draw(
            canvas, x0 + w / 2, header_base, column.title, paper.font, align="center", room=w - pad
        )
    for i, row in enumerate(rows):
        middle = body_top - paper.row * (i + 1) + paper.row / 2
        for column, x0, w, text in zip(head.columns, edges, widths, row, strict=False):
            if text:
                x = x0 + pad if column.align == "left" else x0 + w / 2
                _cell(canvas, x, middle, text, paper.font, w - 2 * pad, column.align)
    canvas.setLineWidth(0.3)
    for i in range(1, len(rows)):
        y = body_top - paper.row * i
        canvas.line(left, y, edges[-1], y)
    for x in edges[1:-1]:
        canvas.line(x, top, x, bottom)
    canvas.setLineWidth(0.8)
    canvas.line(left, body_top, edges[-1], body_top)
    canvas.rect(left, bottom, geo.block_width, top - bottom, stroke=1, fill=0)


def _cell(
    canvas: Canvas, x: float, middle: float, text: str, size: float, room: float, align: str
) -> None:
    """One cell's text centred on ``middle``; a name or group too long for one line (long
    minority names, 幸福村第十二村民小组) goes on two smaller lines rather than shrinking away."""
    if fonts.width(text, size) > room:
        small = size * 0.68
        lines = wrap(text, small, room)
        if len(lines) == 2:
            draw(canvas, x, middle + small * 0.12, lines[0], small, align=align, room=room)
            draw(canvas, x, middle - small * 0.98, lines[1], small, align=align, room=room)
            return
    draw(canvas, x, middle - size * 0.35, text, size, align=align, room=room)


def _chunks(rows: Iterable[tuple[str, ...]], size: int) -> Iterator[list[tuple[str, ...]]]:
    chunk: list[tuple[str, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@in_chinese
def posted_list_pdf(voter_list: VoterList, *, paper: str = "A4") -> bytes:
    """The list to post on the notice board: A4 or A3 landscape, entries in column blocks
    (filled top to bottom, then the next block), no ID numbers."""
    sheet = PAPERS[paper]
    geo = list_geometry(sheet)
    head = list_head(voter_list)
    per_page = geo.rows * sheet.blocks
    pages = max(1, math.ceil(head.total / per_page))
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, sheet.size, head.title, head.committee)
    canvas.setSubject(head.election)
    rows = list_rows(voter_list, supplement=voter_list.kind == ListKind.SUPPLEMENT)
    for page, chunk in enumerate(_chunks(rows, per_page), start=1):
        _list_frame(canvas, sheet, geo, head, page, pages)
        for block in range(sheet.blocks):
            part = chunk[block * geo.rows : (block + 1) * geo.rows]
            if part:
                left = MARGIN + block * (geo.block_width + GUTTER)
                _list_block(canvas, sheet, geo, head, left, part)
        canvas.showPage()
    if head.total == 0:
        _list_frame(canvas, sheet, geo, head, 1, 1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


XLSX_WIDTHS = {"序号": 7, "姓名": 14, "性别": 6, "年龄": 6, "出生年月": 10, "变动": 8}


@in_chinese
def posted_list_xlsx(voter_list: VoterList) -> bytes:
    """The same list as a workbook: merged title rows, the header repeated on every printed
    page, landscape and fitted to the page width; text that looks like a formula is escaped."""
    head = list_head(voter_list)
    supplement = voter_list.kind == ListKind.SUPPLEMENT
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(_("补充名单") if supplement else _("选民名单"))
    last = len(head.columns) - 1
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    plain = book.add_format({"align": "center", "valign": "vcenter"})
    header = book.add_format(
        {"bold": True, "bg_color": "#E0E0E0", "border": 1, "align": "center", "valign": "vcenter"}
    )
    cell = book.add_format({"border": 1, "num_format": "@", "valign": "vcenter"})
    centred = book.add_format(
        {"border": 1, "num_format": "@", "align": "center", "valign": "vcenter"}
    )
    number = book.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    sign = book.add_format({"align": "right"})
    sheet.merge_range(0, 0, 0, last, escape_formula(head.title), title)
    sheet.set_row(0, 30)
    published = _("公布日期：%(d)s") % {"d": head.published_on}
    line = f"{head.election}　{published}　{head.summary}"
    sheet.merge_range(1, 0, 1, last, escape_formula(line), plain)
    for col, column in enumerate(head.columns):
        sheet.write_string(2, col, column.title, header)
        sheet.set_column(col, col, XLSX_WIDTHS.get(column.title, 22))
    r = 2
    for r, row in enumerate(list_rows(voter_list, supplement=supplement), start=3):
        for col, (column, text) in enumerate(zip(head.columns, row, strict=False)):
            if col in (0, 3):  # 序号, 年龄: numbers, so that the sheet sorts and sums
                sheet.write_number(r, col, int(text), number)
            else:
                fmt = cell if column.align == "left" else centred
                sheet.write_string(r, col, escape_formula(text), fmt)
    sheet.merge_range(r + 2, 0, r + 2, last, escape_formula(head.notice))
    signed = f"{head.committee}　{head.published_on}"
    sheet.merge_range(r + 3, 0, r + 3, last, escape_formula(signed), sign)
    sheet.freeze_panes(3, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(2)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页 共 &N 页")
    book.close()
    return buffer.getvalue()
