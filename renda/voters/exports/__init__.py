"""The register on paper: the posted list (选民榜) as PDF and Excel, voter cards, certificates.

Nothing here ever reads an ID number: the posted list is drawn from the frozen list entries,
the cards and the certificate from name, sex and birth date. Pages are drawn straight onto a
ReportLab canvas (no flowables), so a 10,000-name list streams through in one pass; what every
card repeats is one PDF form drawn once. The fonts and the setting of mixed Chinese and Latin
text live in ``renda.voters.fonts`` (docs/decisions/0016-pdf-and-cjk-font.md).
"""

from __future__ import annotations

from renda.voters.exports.cards import voter_cards_pdf
from renda.voters.exports.certificates import QR_BORDER, certificate_pdf, qr_png
from renda.voters.exports.common import cn_date, cn_number, committee_name, district_place
from renda.voters.exports.lists import PAPERS, list_title, posted_list_pdf, posted_list_xlsx

__all__ = [
    "PAPERS",
    "QR_BORDER",
    "certificate_pdf",
    "cn_date",
    "cn_number",
    "committee_name",
    "district_place",
    "list_title",
    "posted_list_pdf",
    "posted_list_xlsx",
    "qr_png",
    "voter_cards_pdf",
]
