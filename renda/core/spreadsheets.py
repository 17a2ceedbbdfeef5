"""Reading the sheets people upload and writing the workbooks they download.

Readers return rows of text exactly as the person typed them (numbers that Excel stored as
numbers come back without a spurious ".0"); writers store every cell as text and neutralise
anything a spreadsheet program would run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from renda.core.errors import ServiceError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool  # Excel stored it as a number (an ID typed so has already lost digits)


def _cell(value: object) -> Cell:
    if value is None:
        return Cell("", False)
    if isinstance(value, bool):
        return Cell("是" if value else "否", False)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        return Cell(text, True)
    if isinstance(value, int):
        return Cell(str(value), True)
    if isinstance(value, datetime):
        return Cell(value.strftime("%Y-%m-%d %H:%M:%S"), False)
    if isinstance(value, date):
        return Cell(value.isoformat(), False)
    return Cell(str(value).strip(), False)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, GB18030 — what Excel and WPS save."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件后重新上传。"))


def read_sheet(data: bytes, filename: str) -> list[list[Cell]]:
    """The first sheet of an .xlsx/.xls/.ods workbook or a .csv file, as rows of cells."""
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    lower = filename.lower()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        text = decode_text(data)
        return [[Cell(v.strip(), False) for v in row] for row in csv.reader(io.StringIO(text))]
    if not lower.endswith(SPREADSHEET_SUFFIXES):
        raise ServiceError(_("只能上传 Excel（.xlsx、.xls）、WPS/OpenOffice（.ods）或 CSV 文件。"))
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises many kinds; all mean "not a workbook we can read"
        raise ServiceError(
            _("无法读取该文件：它不是有效的电子表格，或者设置了打开密码。")
        ) from None
    return [[_cell(v) for v in row] for row in values]


def is_blank(row: Sequence[Cell]) -> bool:
    return all(not c.text for c in row)


def escape_formula(text: str) -> str:
    """Prefix text a spreadsheet would evaluate (=, +, -, @) with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_name: str = "Sheet1",
    widths: Sequence[int] | None = None,
    highlight_column: int | None = None,
) -> bytes:
    """A workbook with one sheet; every cell is text, header bold and frozen.

    ``highlight_column``: rows whose value in that column is non-empty are shaded (errors).
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(sheet_name)
    head = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1})
    text = book.add_format({"num_format": "@"})
    flagged = book.add_format({"num_format": "@", "bg_color": "#FCE4E4"})
    for col, title in enumerate(headers):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, (widths[col] if widths else 16), text)
    for r, row in enumerate(rows, start=1):
        fmt = flagged if highlight_column is not None and row[highlight_column] else text
        for col, value in enumerate(row):
            sheet.write_string(r, col, escape_formula("" if value is None else str(value)), fmt)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
