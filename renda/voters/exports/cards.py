"""Voter cards (选民证): a printable batch per district, eight cards to an A4 page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from renda.regions.models import District
from renda.voters.exports.common import cn_date, committee_name, in_chinese, new_canvas
from renda.voters.fonts import draw
from renda.voters.models import Election, Sex, Status, Voter
from renda.voters.rules import age_on

CARD_COLUMNS, CARD_ROWS = 2, 4
CARD_MARGIN_X, CARD_MARGIN_Y = 8 * mm, 10 * mm
CARD_INSET = 4 * mm


@dataclass(frozen=True)
class Card:
    number: str
    name: str
    sex: str
    age: int


@dataclass(frozen=True)
class CardHead:
    election: str
    place: str
    day: str
    committee: str


@dataclass(frozen=True)
class CardLayout:
    """Where things go on a card, in points from the card's own bottom-left corner."""

    width: float
    height: float
    pad: float = 4 * mm
    size: float = 11
    lead: float = 19

    @property
    def column(self) -> float:  # where the values start, right of the labels
        return self.size * 3.6

    def row(self, n: int) -> float:
        return self.height - 45 - self.lead * (n + 1) - 2


CARD_FORM = "renda-card"
CUT_FORM = "renda-cut-lines"
CARD_LABELS = ((0, 0, "姓名"), (1, 0, "性别"), (1, 1, "年龄"), (2, 0, "选区"), (3, 0, "编号"))


def _card_template(canvas: Canvas, layout: CardLayout, head: CardHead) -> None:
    """What every card of the batch shares, drawn once as a reusable PDF form."""
    w, h, pad = layout.width, layout.height, layout.pad
    canvas.beginForm(CARD_FORM, 0, 0, w, h)
    canvas.setLineWidth(1)
    canvas.roundRect(0, 0, w, h, 2 * mm, stroke=1, fill=0)
    draw(canvas, w / 2, h - 24, _("选民证"), 18, align="center", bold=True)
    draw(canvas, w / 2, h - 39, head.election, 8.5, align="center", room=w - 2 * pad)
    canvas.setLineWidth(0.5)
    canvas.line(pad, h - 45, w - pad, h - 45)
    for row, half, label in CARD_LABELS:
        draw(canvas, pad + half * w / 2, layout.row(row), _(label), layout.size * 0.85)
    draw(canvas, pad, layout.row(4), _("选举日"), layout.size * 0.85)
    value_room = w - 2 * pad - layout.column
    draw(
        canvas,
        pad + layout.column,
        layout.row(2),
        head.place,
        layout.size,
        room=value_room,
        bold=True,
    )
    draw(canvas, pad + layout.column, layout.row(4), head.day, layout.size, bold=True)
    draw(canvas, pad, 3 * mm, _("凭本证和居民身份证领取选票"), 7.5)
    draw(canvas, w - pad, 3 * mm, head.committee + _("（印）"), 8.5, align="right")
    canvas.endForm()


def _cut_template(
    canvas: Canvas, width: float, height: float, cell_w: float, cell_h: float
) -> None:
    canvas.beginForm(CUT_FORM, 0, 0, width, height)
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    for i in range(CARD_COLUMNS + 1):
        x = CARD_MARGIN_X + i * cell_w
        canvas.line(x, CARD_MARGIN_Y / 2, x, height - CARD_MARGIN_Y / 2)
    for j in range(CARD_ROWS + 1):
        y = CARD_MARGIN_Y + j * cell_h
        canvas.line(CARD_MARGIN_X / 2, y, width - CARD_MARGIN_X / 2, y)
    canvas.endForm()


def _card(canvas: Canvas, x: float, y: float, layout: CardLayout, card: Card) -> None:
    """One card with its bottom-left corner at (x, y): the shared form and this voter."""
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(CARD_FORM)
    left, size = layout.pad + layout.column, layout.size
    room = layout.width - 2 * layout.pad - layout.column
    draw(canvas, left, layout.row(0), card.name, size, room=room, bold=True)
    draw(canvas, left, layout.row(1), card.sex, size, bold=True)
    draw(canvas, left + layout.width / 2, layout.row(1), str(card.age), size, bold=True)
    draw(canvas, left, layout.row(3), card.number, size, bold=True)
    canvas.restoreState()


def _cards(election: Election, district: District) -> Iterator[Card]:
    sexes = {s.value: str(s.label) for s in Sex}
    voters = (
        Voter.objects.filter(district=district, status=Status.REGISTERED)
        .order_by("name_pinyin", "id")
        .values_list("name", "sex", "birth_date")
    )
    for seq, (name, sex, born) in enumerate(voters.iterator(chunk_size=2000), start=1):
        yield Card(
            number=f"{district.display_code}-{seq:05d}",
            name=name,
            sex=sexes.get(sex, ""),
            age=age_on(born, election.election_day, election.feb29_rule),
        )


@in_chinese
def voter_cards_pdf(election: Election, district: District) -> bytes:
    """One card per registered voter of the district, eight to an A4 page with cut lines,
    in pinyin order; the card number is the district code and the place in that order."""
    head = CardHead(
        election=election.name,
        place=f"{district.township.name}{district.name}",
        day=cn_date(election.election_day),
        committee=committee_name(election, district),
    )
    width, height = A4
    cell_w = (width - 2 * CARD_MARGIN_X) / CARD_COLUMNS
    cell_h = (height - 2 * CARD_MARGIN_Y) / CARD_ROWS
    layout = CardLayout(cell_w - 2 * CARD_INSET, cell_h - 2 * CARD_INSET)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4, _("选民证") + f" · {head.place}", head.committee)
    _card_template(canvas, layout, head)
    _cut_template(canvas, width, height, cell_w, cell_h)
    per_page = CARD_COLUMNS * CARD_ROWS
    drawn = 0
    for drawn, card in enumerate(_cards(election, district), start=1):
        slot = (drawn - 1) % per_page
        if slot == 0:
            canvas.doForm(CUT_FORM)
        col, row = slot % CARD_COLUMNS, slot // CARD_COLUMNS
        x = CARD_MARGIN_X + col * cell_w + CARD_INSET
        y = height - CARD_MARGIN_Y - (row + 1) * cell_h + CARD_INSET
        _card(canvas, x, y, layout, card)
        if slot == per_page - 1:
            canvas.showPage()
    if drawn == 0:
        draw(canvas, width / 2, height / 2, _("该选区没有已登记的选民。"), 14, align="center")
    if drawn == 0 or drawn % per_page:
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
