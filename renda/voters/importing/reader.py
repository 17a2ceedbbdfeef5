"""Stage 1 of the voter import: an uploaded file's bytes → a ``Table`` of text columns.

Workbooks (.xlsx, .xls, .ods) are read by fastexcel (calamine, in Rust) and CSV by polars,
each sheet in one columnar pass; every cell becomes text (numbers Excel stored as integers
without ".0", dates as ISO text, empty cells null). The header is found below title rows
(columns.match_header), blank rows, 合计 rows and signature footers are dropped, and each data
row keeps the row number the registrar sees in Excel (contract.ROW).

An ID that Excel kept as a number has already lost its last digits, so it is flagged
(contract.ID_NUMERIC), never "repaired": the ID column is the one column whose type fastexcel
infers (strictly, over every row) while all others are read as text. A text column is clean,
a numeric one is numeric throughout, and only a column mixing both is looked at cell by cell
through python-calamine's typed values — so the clean case costs a single parse.

Every refusal (empty, oversized, disguised, password-protected, zip bomb, formulas, no ID
column, header only, undecodable text) is a ServiceError raised before anything is written.
"""

from __future__ import annotations

import codecs
import csv
import ctypes
import io
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import fastexcel
import polars as pl
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from renda.core.errors import ServiceError
from renda.voters.importing import containers
from renda.voters.importing.columns import SYNONYMS, match_header, missing_columns_message
from renda.voters.importing.containers import Kind
from renda.voters.importing.contract import ID_NUMBER, ID_NUMERIC, NAME, REQUIRED, ROW, Table

MAX_ROWS = 1_048_576  # Excel's own limit, and so the issue's: larger sheets must be split
MAX_COLUMNS = 16_384  # Excel's column limit: every column but the ID one is declared text
HEADER_SCAN = 20  # rows searched for the header below the title rows
_TEXT_HEAD = 1 << 18  # bytes of a CSV looked at for its encoding, delimiter and header
_DELIMITERS = (",", "\t", ";")

# A totals line: a cell saying 合计 (or 总计/小计/共计, maybe "合计：356人") and no ID.
_TOTALS = r"^(合计|总计|小计|共计)([:：].*|\d.*|人.*)?$"
# A signature or note line under the table: no ID, and "制表人：张三" (or 审核人：, 填表日期：,
# 注：…) in the name column, or in any column when the name column is empty.
_FOOTER = r"^((制表|填表|审核|审批|负责|经办|单位负责|联系)[人日期时间单位]*|注|说明)[:：]"
# Excel writes an 18-digit number as "4.40524E+17" when it saves a CSV.
_SCIENTIFIC = r"^\d+(\.\d+)?[eE]\+?\d+$"

SheetRef = str | int | None


@dataclass(frozen=True)
class _Raw:
    """One sheet as loaded: text columns named by absolute position, before shaping."""

    frame: pl.DataFrame  # columns "0", "1", … (absolute column index), all Utf8
    numeric: pl.Series | None  # Boolean per frame row: the ID cell was a number
    first_row: int  # the 1-based sheet row of the frame's first row


# --- public ------------------------------------------------------------------------------------


def sheet_names(data: bytes, filename: str) -> list[str]:
    """The sheets of a workbook in order (one unnamed sheet "" for a CSV)."""
    kind = containers.sniff(data, filename)
    if kind is Kind.CSV:
        return [""]
    if kind is Kind.XLSX:  # from workbook.xml: opening the workbook would parse every string
        return [name for name, _part in containers.xlsx_parts(containers.open_zip(data))[0]]
    return _open_workbook(data).sheet_names


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: SheetRef = None,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """One sheet: by name, by 0-based index, or (None) the first whose header is found.

    ``columns`` overrides the automatic mapping (canonical key → header text), for when the
    registrar has settled an ambiguous header in the mapping preview.
    """
    source = _source(data, filename)
    del data  # the source holds what it needs (a CSV's text is let go of once parsed)
    if sheet is None:
        errors: list[ServiceError] = []
        for index in range(len(source.names)):
            try:
                return _read(source, index, columns)
            except _NoHeader as error:
                errors.append(error)
        raise _no_header_anywhere(source.names, errors)
    try:
        return _read(source, _sheet_index(source.names, sheet), columns)
    except _NoHeader as error:
        raise ServiceError(error.message) from None


def read_tables(data: bytes, filename: str) -> list[Table]:
    """Every sheet that has a header and data rows (sheets with neither are passed over)."""
    source = _source(data, filename)
    tables: list[Table] = []
    errors: list[ServiceError] = []
    for index in range(len(source.names)):
        try:
            tables.append(_read(source, index, None))
        except (_NoHeader, _NoData) as error:
            errors.append(error)
    if not tables:
        raise _no_header_anywhere(source.names, errors)
    return tables


# --- errors ------------------------------------------------------------------------------------


class _NoHeader(ServiceError):
    """This sheet has no header; another sheet may."""


class _NoData(ServiceError):
    """This sheet has a header and nothing under it."""


def _no_header_anywhere(names: Sequence[str], errors: Sequence[ServiceError]) -> ServiceError:
    """One sheet: its own reason. Several: a sheet with a header but no data says the most."""
    empty = [e for e in errors if isinstance(e, _NoData)]
    if len(names) == 1 or empty:
        return ServiceError((empty or errors)[0].message)
    listed = "、".join(f"“{name}”" for name in names)
    return ServiceError(
        _("工作表 %(sheets)s 中都找不到表头。%(detail)s")
        % {"sheets": listed, "detail": missing_columns_message(REQUIRED, HEADER_SCAN)}
    )


def _sheet_index(names: Sequence[str], sheet: str | int) -> int:
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return sheet
    if isinstance(sheet, str) and sheet in names:
        return names.index(sheet)
    raise ServiceError(
        _("找不到工作表“%(sheet)s”。文件中的工作表：%(names)s。")
        % {"sheet": sheet, "names": "、".join(names) or "—"}
    )


def _unreadable(error: Exception) -> ServiceError:
    if "password" in str(error).lower() or "encrypt" in str(error).lower():
        return containers.password_protected()
    return containers.not_readable()


# --- sources -----------------------------------------------------------------------------------


class _Source:
    """A file's sheets, read the cheapest way for its format."""

    names: list[str]

    def head(self, index: int) -> list[list[str | None]]:
        """The first HEADER_SCAN rows as text, by absolute row and column."""
        raise NotImplementedError

    def load(self, index: int, header_row: int, id_col: int, watch: Sequence[int]) -> _Raw:
        """Every row under the header; refuses formulas in the ``watch`` columns."""
        raise NotImplementedError


def _source(data: bytes, filename: str) -> _Source:
    kind = containers.sniff(data, filename)
    if kind is Kind.CSV:
        return _Csv(data)
    return _Workbook(data, kind)


def _open_workbook(data: bytes) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(data)
    except fastexcel.FastExcelError as error:
        raise _unreadable(error) from None


class _Workbook(_Source):
    def __init__(self, data: bytes, kind: Kind) -> None:
        self.data = data
        self.kind = kind
        self.reader = _open_workbook(data)
        self.names = self.reader.sheet_names
        self.archive = containers.open_zip(data) if kind in (Kind.XLSX, Kind.ODS) else None
        self.parts: list[tuple[str, str]] = []
        self.strings: str | None = None
        if self.archive is not None and kind is Kind.XLSX:
            self.parts, self.strings = containers.xlsx_parts(self.archive)

    def head(self, index: int) -> list[list[str | None]]:
        if self.archive is not None and index < len(self.parts):
            # .xlsx: parse the top of the sheet's XML, not the whole sheet (a million rows)
            return containers.xlsx_head(
                self.archive, self.parts[index][1], self.strings, HEADER_SCAN
            )
        # .xls holds at most 65,536 rows and .ods files are small: a full parse is cheap
        sheet = self._load(index, header_row=None, skip_rows=0, n_rows=HEADER_SCAN, dtypes="string")
        frame = sheet.to_polars()
        width = max((c.absolute_index for c in sheet.selected_columns), default=-1) + 1
        rows: list[list[str | None]] = [[None] * width for _ in range(frame.height)]
        for info, values in zip(sheet.selected_columns, frame.iter_columns(), strict=True):
            for r, value in enumerate(values):
                rows[r][info.absolute_index] = value.strip() if value and value.strip() else None
        return rows

    def _load(self, index: int, **options: object) -> fastexcel.ExcelSheet:
        try:
            return self.reader.load_sheet(index, **options)  # type: ignore[call-overload,no-any-return]
        except fastexcel.UnsupportedColumnTypeCombinationError:
            raise
        except fastexcel.FastExcelError as error:
            raise _unreadable(error) from None

    def load(self, index: int, header_row: int, id_col: int, watch: Sequence[int]) -> _Raw:
        with ThreadPoolExecutor(max_workers=1) as pool:  # inflate + search run beside calamine
            formulas = pool.submit(self._formula_columns, index, header_row)
            raw = self._load_text(index, header_row, id_col)
            found = formulas.result()
        bad = sorted(c for c in found if c in watch or c == containers.UNKNOWN_COLUMN)
        if bad:
            raise _Formulas(bad)
        return raw

    def _formula_columns(self, index: int, header_row: int) -> set[int]:
        if self.kind is Kind.XLSX and self.archive is not None and index < len(self.parts):
            return containers.xlsx_formula_columns(self.archive, self.parts[index][1], header_row)
        if self.kind is Kind.ODS and self.archive is not None:
            return containers.ods_formula_columns(self.archive, index, header_row)
        if self.kind is Kind.XLS:
            return containers.xls_formula_columns(self.data, index, header_row)
        return set()

    def _load_text(self, index: int, header_row: int, id_col: int) -> _Raw:
        text: dict[str | int, fastexcel.DType] = {
            c: "string" for c in range(MAX_COLUMNS) if c != id_col
        }
        mixed = False
        try:
            sheet = self._load(
                index,
                header_row=header_row,
                dtypes=text,
                dtype_coercion="strict",
                schema_sample_rows=None,
            )
        except fastexcel.UnsupportedColumnTypeCombinationError:
            mixed = True  # numbers and text in the ID column: find the numbers one by one
            sheet = self._load(index, header_row=header_row, dtypes="string")
        _check_height(self.names[index], header_row + 1 + sheet.height)
        infos = sheet.selected_columns
        frame = sheet.to_polars()
        del sheet
        _give_back_freed_memory()
        frame.columns = [str(info.absolute_index) for info in infos]
        id_type = next((i.dtype for i in infos if i.absolute_index == id_col), "null")
        numeric: pl.Series | None = None
        if mixed:
            numeric = self._numeric_cells(index, header_row, id_col, frame.height)
        elif id_type in ("int", "float"):
            numeric = frame[str(id_col)].is_not_null()
        if str(id_col) in frame.columns and id_type != "string":
            frame = frame.with_columns(_as_text(pl.col(str(id_col)), frame[str(id_col)].dtype))
        return _Raw(frame, numeric, header_row + 2)

    def _numeric_cells(self, index: int, header_row: int, id_col: int, height: int) -> pl.Series:
        """Which data rows hold a number in the ID column, from calamine's typed cells."""
        if self.kind is Kind.XLSX and self.archive is not None and index < len(self.parts):
            part = self.parts[index][1]
            numeric = containers.xlsx_numeric_rows(self.archive, part, id_col, header_row)
            return pl.Series(
                ID_NUMERIC, [header_row + 1 + r in numeric for r in range(height)], pl.Boolean
            )
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(self.data)).get_sheet_by_index(index)
        except Exception as error:  # calamine's errors share no base class worth naming
            raise _unreadable(error) from None
        flags = [False] * height
        # iter_rows() yields rows from the sheet's first row but cells from its first used
        # column (python-calamine 0.9; test_reader pins it with a sheet starting at B3)
        column = id_col - (sheet.start or (0, 0))[1]
        for row, values in enumerate(sheet.iter_rows()):
            data_row = row - header_row - 1
            if 0 <= data_row < height and 0 <= column < len(values):
                value = values[column]
                flags[data_row] = isinstance(value, int | float) and not isinstance(value, bool)
        return pl.Series(ID_NUMERIC, flags, dtype=pl.Boolean)


class _Csv(_Source):
    def __init__(self, data: bytes) -> None:
        self.names = [""]
        self.body, text = _utf8(data)
        self.delimiter = _sniff_delimiter(text)
        if len(text) >= _TEXT_HEAD:  # drop a record cut at the sample's edge
            text = text[: text.rfind("\n") + 1]
        self.rows: list[list[str | None]] = []
        for record in csv.reader(io.StringIO(text), delimiter=self.delimiter):
            self.rows.append([cell.strip() or None for cell in record])
            if len(self.rows) >= HEADER_SCAN:
                break

    def head(self, index: int) -> list[list[str | None]]:
        return self.rows

    def load(self, index: int, header_row: int, id_col: int, watch: Sequence[int]) -> _Raw:
        frame = self._read(header_row, max(len(row) for row in self.rows))
        self.body = b""  # parsed: the text lives on in the frame (240 MB at a million rows)
        _check_height("", header_row + 1 + frame.height)
        column = pl.col(str(id_col))
        if frame[str(id_col)].str.starts_with('="').any():
            # ="4405…" is how some systems force text into a CSV for Excel: unwrap it
            frame = frame.with_columns(pl.col("*").str.replace(r'^="(.*)"$', "$1"))
        numeric = frame.select(column.str.strip_chars().str.contains(_SCIENTIFIC).fill_null(False))
        return _Raw(frame, numeric.to_series(), header_row + 2)

    def _read(self, header_row: int, width: int) -> pl.DataFrame:
        try:
            return pl.read_csv(
                self.body,
                has_header=False,
                skip_rows=header_row + 1,
                separator=self.delimiter,
                schema={str(i): pl.String for i in range(width)},
                truncate_ragged_lines=True,
                raise_if_empty=False,
                missing_columns="insert",
            )
        except pl.exceptions.ComputeError as error:
            if "utf-8" in str(error).lower():
                # valid UTF-8 in the sample, not further down: two files pasted together
                raise _encoding_error() from None
            raise ServiceError(
                _("无法解析该 CSV 文件（%(detail)s），请用 Excel 打开后另存为 .xlsx 再上传。")
                % {"detail": str(error).splitlines()[0][:80]}
            ) from None


def _give_back_freed_memory() -> None:
    """Return to the system what calamine freed. Its cells (a million rows: over a gigabyte,
    allocated with the C library's malloc) are gone once the frame is built, but glibc keeps
    the freed pages, and polars, which allocates with its own jemalloc, cannot use them: the
    import's peak would carry both. ``malloc_trim`` hands them back (Linux with glibc; a no-op
    elsewhere)."""
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # the C library already loaded
    except OSError:
        return
    if trim is not None:
        trim(0)


def _utf8(data: bytes) -> tuple[bytes, str]:
    """(the CSV as UTF-8 bytes for polars, the decoded text of its top).

    UTF-8 with or without BOM passes through untouched (polars validates the rest as it
    parses; see _Csv._read); UTF-16 (Excel's "Unicode text") and GB18030 (a superset of GBK
    and GB2312: what Excel and WPS save on Chinese Windows) are transcoded.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(data, "utf-16")
        return text.encode(), text[:_TEXT_HEAD]
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        # not final: a character cut at the sample's edge is not an error
        head = codecs.getincrementaldecoder("utf-8")().decode(body[:_TEXT_HEAD], final=False)
    except UnicodeDecodeError:
        text = _decode(body, "gb18030")
        return text.encode(), text[:_TEXT_HEAD]
    return body, head


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _encoding_error() from None


def _encoding_error() -> ServiceError:
    return ServiceError(
        _(
            "无法识别 CSV 文件的编码（既不是 UTF-8，也不是 GBK/GB18030，或两者混用）。"
            "请用 Excel 打开后另存为“CSV UTF-8”或 .xlsx 再上传。"
        )
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the top lines into the most columns (comma on a tie)."""
    sample = "\n".join(text.splitlines()[: HEADER_SCAN * 2])

    def width(delimiter: str) -> int:
        return max(
            (len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)), default=0
        )

    return max(_DELIMITERS, key=width)


# --- shaping -----------------------------------------------------------------------------------


class _Formulas(ServiceError):
    def __init__(self, columns: Sequence[int]) -> None:
        super().__init__("")
        self.columns = columns


def _read(source: _Source, index: int, override: Mapping[str, str] | None) -> Table:
    name = source.names[index]
    head = source.head(index)
    try:
        header_row, positions, ambiguous = match_header(head, HEADER_SCAN)
    except ServiceError as error:
        raise _NoHeader(_prefix(source, name, error.message)) from None
    header = list(head[header_row])
    if override:
        positions = _apply_override(positions, header, override)
        ambiguous = {k: v for k, v in ambiguous.items() if k not in override}
    watch = sorted(set(positions.values()))
    try:
        raw = source.load(index, header_row, positions[ID_NUMBER], watch)
    except _Formulas as error:
        names = "、".join(f"“{_header_text(header, c)}”" for c in error.columns if c >= 0)
        raise ServiceError(
            _("表格中含有公式%(where)s，请复制后“选择性粘贴→数值”再导出。")
            % {"where": f"（{names}列）" if names else ""}
        ) from None
    return _shape(source, name, raw, header_row, header, positions, ambiguous)


def _prefix(source: _Source, name: str, message: str) -> str:
    if len(source.names) == 1:
        return message
    return _("工作表“%(sheet)s”：%(message)s") % {"sheet": name, "message": message}


def _header_text(header: Sequence[str | None], col: int) -> str:
    text = header[col] if col < len(header) else None
    return text or _column_letter(col)


def _column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _apply_override(
    positions: dict[str, int], header: Sequence[str | None], override: Mapping[str, str]
) -> dict[str, int]:
    chosen = dict(positions)
    for key, text in override.items():
        if key not in SYNONYMS:
            raise ServiceError(_("未知的列“%(key)s”。") % {"key": key})
        if text not in header:
            raise ServiceError(_("表头中没有“%(column)s”列。") % {"column": text})
        chosen[key] = header.index(text)
    if len(set(chosen.values())) < len(chosen):
        raise ServiceError(_("同一列不能同时对应两项，请重新选择各列的对应关系。"))
    return chosen


def _shape(
    source: _Source,
    sheet: str,
    raw: _Raw,
    header_row: int,
    header: list[str | None],
    positions: dict[str, int],
    ambiguous: dict[str, list[int]],
) -> Table:
    by_column = {col: key for key, col in positions.items()}
    frame = _clean(raw.frame, dates=not isinstance(source, _Csv))
    frame = frame.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).add(raw.first_row).alias(ROW),
        (raw.numeric if raw.numeric is not None else pl.repeat(False, pl.len()))
        .alias(ID_NUMERIC)
        .cast(pl.Boolean),
    )
    keep: list[pl.Expr] = [pl.col(ROW)]
    headers: list[str] = []
    used = {ROW, ID_NUMERIC, *positions}
    for column in raw.frame.columns:
        col = int(column)
        key = by_column.get(col)
        text = header[col] if col < len(header) else None
        if key is None and text is None and frame[column].null_count() == frame.height:
            continue  # neither a header nor a value: formatting, not a column
        headers.append(text or "")
        keep.append(pl.col(column).alias(key or _unique(text or _column_letter(col), used)))
    id_cell = str(positions[ID_NUMBER])
    present = pl.col(id_cell).is_not_null() if id_cell in frame.columns else pl.lit(False)
    frame = frame.select(*keep, pl.col(ID_NUMERIC) & present)  # an empty cell is not a number
    for key in positions:
        if key not in frame.columns:  # a header past the last cell that holds anything
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(key))
    before = frame.height
    frame = _drop_noise(frame)
    if frame.height == 0:
        raise _NoData(_prefix(source, sheet, _("表格中只有表头，没有数据行。")))
    return Table(
        frame=frame,
        headers=headers,
        mapping={key: _header_text(header, col) for key, col in positions.items()},
        header_row=header_row + 1,
        sheet=sheet,
        skipped_rows=before - frame.height,
        ambiguous={key: [_header_text(header, c) for c in cols] for key, cols in ambiguous.items()},
    )


def _unique(text: str, used: set[str]) -> str:
    name, n = text, 1
    while name in used:
        n += 1
        name = f"{text} ({n})"
    used.add(name)
    return name


def _clean(frame: pl.DataFrame, *, dates: bool) -> pl.DataFrame:
    """Stripped text, empty → null, a date cell's "2001-02-03 00:00:00" → "2001-02-03".

    One lazy query, a step per stage, so that each column is stripped once (polars does not
    share a subexpression between the branches of a when/then) and columns run in parallel.
    """
    columns = [pl.col(c) for c in frame.columns]
    query = frame.lazy().with_columns(c.str.strip_chars() for c in columns)
    if dates:  # CSV cells are text as typed: only workbooks have date cells to render
        query = query.with_columns(
            pl.when(c.str.ends_with(" 00:00:00") & (c.str.len_bytes() == 19))
            .then(c.str.slice(0, 10))
            .otherwise(c)
            for c in columns
        )
    return query.with_columns(pl.when(c != "").then(c) for c in columns).collect()


def _as_text(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A typed column (what fastexcel inferred for the ID column) as the text Excel shows."""
    if dtype.is_float():
        whole = column.round(0) == column
        integral = column.cast(pl.Int64, strict=False).cast(pl.String)
        return (
            pl.when(whole & integral.is_not_null())
            .then(integral)
            .otherwise(column.cast(pl.String))
            .name.keep()
        )
    if isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S").name.keep()
    return column.cast(pl.String).name.keep()


def _drop_noise(frame: pl.DataFrame) -> pl.DataFrame:
    """Without blank rows, totals rows and signature footers (all of them have no ID)."""
    values = [c for c in frame.columns if c not in (ROW, ID_NUMERIC)]
    candidates = frame.filter(pl.col(ID_NUMBER).is_null())
    if candidates.height == 0:
        return frame

    def any_cell(pattern: str) -> pl.Expr:
        return pl.any_horizontal(
            pl.col(c).str.replace_all(r"\s", "").str.contains(pattern).fill_null(False)
            for c in values
        )

    blank = pl.all_horizontal(pl.col(c).is_null() for c in values)
    name = pl.col(NAME).str.replace_all(r"\s", "").str.contains(_FOOTER).fill_null(False)
    footer = name | (pl.col(NAME).is_null() & any_cell(_FOOTER))
    noise = candidates.filter(blank | any_cell(_TOTALS) | footer)[ROW]
    if noise.len() == 0:
        return frame  # no copy of a million rows to drop none
    return frame.filter(~pl.col(ROW).is_in(noise.implode()))


def _check_height(sheet: str, last_row: int) -> None:
    if last_row > MAX_ROWS:
        raise ServiceError(
            _("工作表%(sheet)s超过 %(limit)s 行，请按乡镇或选区拆分后分别上传。")
            % {"sheet": f"“{sheet}”" if sheet else "", "limit": f"{MAX_ROWS:,}"}
        )
