"""PDF responses for the voter pages (spreadsheets use ``core.http.xlsx_response``)."""

from __future__ import annotations

from django.http import HttpResponse

from renda.core.http import attachment

PDF = "application/pdf"


def pdf_response(data: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A PDF to save, or with ``inline`` to open in the browser's own viewer — in a new tab,
    never in a frame: the site forbids framing."""
    response = attachment(HttpResponse(data, content_type=PDF), filename)
    if inline:
        disposition = response["Content-Disposition"]
        response["Content-Disposition"] = disposition.replace("attachment", "inline", 1)
    return response
