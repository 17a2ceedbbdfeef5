"""Account sheets as people make them: CSV from Excel or WPS (UTF-8 or GBK), .xlsx with a title."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from renda.imports.models import ImportRun

HEADER = ["用户名", "姓名", "手机号码", "角色", "区划代码"]
Cells = Sequence[Sequence[object]]


def csv_bytes(rows: Cells, *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[str(v) for v in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Cells, *, title: str | None = None) -> bytes:
    """A workbook as an office would make it: an optional merged title row above the header,
    and numbers (codes, phone numbers) typed as numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("账号")
    top = 0
    if title:
        sheet.merge_range(0, 0, 0, len(HEADER) - 1, title)
        top = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(top + r, c, value)
    book.close()
    return buffer.getvalue()


def upload(
    client: Client,
    filename: str,
    data: bytes,
    capture: DjangoCaptureOnCommitCallbacks | None = None,
) -> ImportRun:
    """Post a sheet to the import page; with ``capture``, the worker runs it at commit."""
    file = SimpleUploadedFile(filename, data)
    if capture is None:
        response = client.post("/accounts/import/", {"file": file})
    else:
        with capture(execute=True):
            response = client.post("/accounts/import/", {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert response["Location"] == f"/imports/{run.pk}/"
    return run
