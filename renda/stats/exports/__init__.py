"""The report table (选民登记情况统计表) as a workbook and a PDF, and the analysts' CSV files.

``table`` holds what both documents share (columns, titles); ``workbook``, ``pdf`` and
``csvfiles`` write them.
"""

from renda.stats.exports.csvfiles import (
    counts_header,
    counts_rows,
    csv_cell,
    csv_lines,
    districts_in,
    voters_header,
    voters_rows,
)
from renda.stats.exports.pdf import report_pdf
from renda.stats.exports.table import Column, header_spans, table_columns
from renda.stats.exports.workbook import report_xlsx

__all__ = [
    "Column",
    "counts_header",
    "counts_rows",
    "csv_cell",
    "csv_lines",
    "districts_in",
    "header_spans",
    "report_pdf",
    "report_xlsx",
    "table_columns",
    "voters_header",
    "voters_rows",
]
