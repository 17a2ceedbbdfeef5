"""The certificate of voter status (选民资格证明), with a QR code to the public verify page."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from renda.voters.exports.common import (
    cn_date,
    committee_name,
    district_place,
    in_chinese,
    new_canvas,
)
from renda.voters.fonts import draw, wrap
from renda.voters.models import Certificate, CertificateStatus, Sex

QR_SCALE, QR_BORDER = 10, 2
STAMP_NOTES = {
    CertificateStatus.REVOKED: "已作废",
    CertificateStatus.USED: "已使用",
}


def qr_png(url: str) -> bytes:
    """The verification QR code as a PNG, QR_SCALE pixels per module."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


@dataclass(frozen=True)
class CertificateText:
    number: str
    name: str
    sex: str
    born: str
    place: str
    election: str
    valid_until: str
    issued: str
    committee: str
    verify_code: str


def _certificate_text(certificate: Certificate) -> CertificateText:
    voter = certificate.voter
    return CertificateText(
        number=certificate.number,
        name=voter.name,
        sex=str(Sex(voter.sex).label),
        born=f"{voter.birth_date.year}年{voter.birth_date.month}月",
        place=district_place(certificate.district),
        election=certificate.election.name,
        valid_until=cn_date(certificate.valid_until),
        issued=cn_date(timezone.localdate(certificate.issued_at)),
        committee=committee_name(certificate.election, certificate.district),
        verify_code=certificate.verify_code,
    )


def _paragraphs(
    canvas: Canvas, x: float, y: float, room: float, texts: list[str], size: float, lead: float
) -> float:
    """Indented paragraphs from baseline ``y`` down; returns the baseline after the last."""
    for text in texts:
        for line in wrap("　　" + text, size, room):
            draw(canvas, x, y, line, size)
            y -= lead
        y -= lead * 0.25
    return y


def _stub(canvas: Canvas, text: CertificateText, width: float, top: float) -> float:
    """The counterfoil the issuing district keeps; returns the y of the cut line below it."""
    left, right = 22 * mm, width - 22 * mm
    draw(canvas, width / 2, top, _("选民资格证明（存根）"), 15, align="center", bold=True)
    size, lead = 11, 20
    y = top - 30
    draw(canvas, left, y, _("编号：%(n)s") % {"n": text.number}, size)
    draw(canvas, right, y, _("开具日期：%(d)s") % {"d": text.issued}, size, align="right")
    y -= lead
    person = _("姓名：%(name)s　　性别：%(sex)s　　出生年月：%(born)s") % {
        "name": text.name,
        "sex": text.sex,
        "born": text.born,
    }
    draw(canvas, left, y, person, size, room=right - left)
    y -= lead
    draw(canvas, left, y, _("开具选区：%(p)s") % {"p": text.place}, size, room=right - left)
    y -= lead
    draw(canvas, left, y, _("有效期至：%(d)s") % {"d": text.valid_until}, size)
    draw(canvas, right, y, _("经办人：__________"), size, align="right")
    cut = y - 22
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setStrokeGray(0.5)
    canvas.line(12 * mm, cut, width - 12 * mm, cut)
    canvas.restoreState()
    draw(canvas, width / 2, cut + 4, _("沿此线剪开，存根由开具选区留存"), 7.5, align="center")
    return cut


def _stamp_area(canvas: Canvas, right: float, y: float, text: CertificateText) -> None:
    """Signature lines, right-aligned, and a dashed circle over the unit and the date, where
    the committee's seal goes (a seal covers the issuer's name and date)."""
    size, lead = 12, 26
    draw(
        canvas, right, y, _("开具单位：%(c)s（盖章）") % {"c": text.committee}, size, align="right"
    )
    draw(canvas, right, y - lead, _("经办人（签名）：____________"), size, align="right")
    draw(
        canvas, right, y - 2 * lead, _("开具日期：%(d)s") % {"d": text.issued}, size, align="right"
    )
    canvas.saveState()
    canvas.setDash(2, 3)
    canvas.setStrokeGray(0.7)
    canvas.circle(right - 28 * mm, y - lead + 4, 21 * mm, stroke=1, fill=0)
    canvas.restoreState()


def _qr_block(canvas: Canvas, x: float, y: float, url: str, code: str) -> None:
    """The QR code (bottom-left corner at x, y), the verify code and the address under it."""
    side = 38 * mm
    canvas.drawImage(ImageReader(io.BytesIO(qr_png(url))), x, y, side, side)
    centre = x + side / 2
    draw(canvas, centre, y - 13, _("验证码：%(c)s") % {"c": code}, 11, align="center")
    draw(canvas, centre, y - 25, _("扫码或登录核验页面输入验证码"), 7.5, align="center")
    draw(canvas, centre, y - 35, url, 6.5, align="center", room=side + 16 * mm)


def _void_mark(canvas: Canvas, status: str, width: float, height: float) -> None:
    note = STAMP_NOTES.get(CertificateStatus(status)) if status else None
    if note is None:
        return
    canvas.saveState()
    canvas.setFillColorRGB(0.8, 0.1, 0.1)
    canvas.setFillAlpha(0.35)
    canvas.translate(width / 2, height * 0.42)
    canvas.rotate(30)
    draw(canvas, 0, 0, note, 96, align="center")
    canvas.restoreState()


@in_chinese
def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The 选民资格证明 on A4: a counterfoil to keep, then the certificate with the QR code of
    ``verify_url`` and the verify code under it. Name, sex and birth month; no ID number."""
    text = _certificate_text(certificate)
    width, height = A4
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A4, _("选民资格证明") + f" {text.number}", text.committee)
    cut = _stub(canvas, text, width, height - 22 * mm)
    left, right = 25 * mm, width - 25 * mm
    top = cut - 24 * mm
    draw(canvas, width / 2, top, _("选民资格证明"), 26, align="center", bold=True)
    draw(canvas, right, top - 30, _("编号：%(n)s") % {"n": text.number}, 11, align="right")
    body = [
        _(
            "兹证明%(name)s（%(sex)s，%(born)s出生）系%(place)s登记的选民。"
            "经本人申请，同意其在现居住地选区参加%(election)s的选民登记。"
        )
        % {
            "name": text.name,
            "sex": text.sex,
            "born": text.born,
            "place": text.place,
            "election": text.election,
        },
        _(
            "本证明有效期至%(d)s，仅限使用一次。持本证明在现居住地登记后，"
            "本选区不再将其列入选民名单。"
        )
        % {"d": text.valid_until},
        _(
            "登记时请出示本证明和居民身份证。接收选区可扫描下方二维码，或在核验页面输入验证码，核验本证明的真伪。"
        ),
    ]
    y = _paragraphs(canvas, left, top - 62, right - left, body, 13.5, 26)
    bottom = min(y - 40 * mm, 80 * mm)
    _qr_block(canvas, left, bottom, verify_url, text.verify_code)
    _stamp_area(canvas, right, bottom + 30 * mm, text)
    _void_mark(canvas, certificate.status, width, height)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
