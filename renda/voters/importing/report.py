"""The workbook a registrar downloads: the rows that need attention, as they were uploaded,
with 错误原因 (why a row was not registered) and 提示 (warnings and the register's notes)."""

from __future__ import annotations

import io

import polars as pl
import xlsxwriter

from renda.core.spreadsheets import escape_formula
from renda.voters.importing.contract import ERRORS, ROW, WARNINGS, Checked, Outcome

RED, AMBER, YELLOW = "#FCE4E4", "#FFE8CC", "#FFF8D6"
NOTES = "__notes"


def _frame_column(table_frame: pl.DataFrame, mapping: dict[str, str], header: str) -> str | None:
    for key, text in mapping.items():
        if text == header and key in table_frame.columns:
            return key
    return header if header in table_frame.columns else None


def attention_rows(checked: Checked, outcome: Outcome) -> pl.DataFrame:
    """Original cells of every row with an error, a warning or a note, in sheet order."""
    table = checked.table
    notes = pl.DataFrame(
        {ROW: list(outcome.row_notes), NOTES: list(outcome.row_notes.values())},
        schema={ROW: pl.Int64, NOTES: pl.Utf8},
    )
    verdicts = checked.frame.select(ROW, ERRORS, WARNINGS).join(notes, on=ROW, how="left")
    flagged = verdicts.filter(
        (pl.col(ERRORS).list.len() > 0)
        | (pl.col(WARNINGS).list.len() > 0)
        | pl.col(NOTES).is_not_null()
    )
    return table.frame.join(flagged, on=ROW, how="inner").sort(ROW)


def error_workbook(checked: Checked, outcome: Outcome) -> bytes | None:
    """None when every row went in cleanly (nothing to report)."""
    rows = attention_rows(checked, outcome)
    if rows.height == 0:
        return None
    table = checked.table
    columns = [(h, _frame_column(rows, table.mapping, h)) for h in table.headers]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "constant_memory": rows.height > 50_000,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
        },
    )
    sheet = book.add_worksheet("导入报告")
    head = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1})
    fmt = {
        "error": book.add_format({"num_format": "@", "bg_color": RED}),
        "note": book.add_format({"num_format": "@", "bg_color": AMBER}),
        "warning": book.add_format({"num_format": "@", "bg_color": YELLOW}),
    }
    titles = ["行号", *[h for h, _c in columns], "错误原因", "提示"]
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, 8 if col == 0 else 16)
    sheet.set_column(len(titles) - 2, len(titles) - 1, 48)
    names = [c for _h, c in columns]
    for r, record in enumerate(rows.iter_rows(named=True), start=1):
        errors = record[ERRORS] or []
        warnings = record[WARNINGS] or []
        note = record[NOTES]
        severity = "error" if errors else ("note" if note else "warning")
        hints = [*warnings, *([note] if note else [])]
        values = [
            str(record[ROW]),
            *["" if c is None or record[c] is None else str(record[c]) for c in names],
            "；".join(errors),
            "；".join(hints),
        ]
        for col, value in enumerate(values):
            sheet.write_string(r, col, escape_formula(value), fmt[severity])
    sheet.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue()
