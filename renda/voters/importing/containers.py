"""What an uploaded file really is, checked before any parser touches it.

Refuses, with a message a registrar can act on, what must never reach calamine or polars:
an empty or oversized file, a file whose bytes are not the spreadsheet its name claims, a
workbook with an opening password, a zip bomb dressed as .xlsx. Also reads the little that
the fast readers do not expose: the first rows of an .xlsx sheet (to find the header without
a second full parse) and where a sheet holds formulas (.xlsx, .ods, .xls).
"""

from __future__ import annotations

import enum
import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast
from xml.etree.ElementTree import Element, XMLPullParser

from django.utils.translation import gettext as _

from renda.core.errors import ServiceError

MAX_BYTES = 300 * 1024 * 1024  # the "300 MB file": refused before anything is parsed
MAX_UNZIPPED = 1 << 30  # all members of a workbook together, as its central directory says
MAX_RATIO = 200  # deflate reaches ~1000:1 only on pathological input; real sheets stay < 50:1
RATIO_FLOOR = 1 << 20  # a small member cannot hurt whatever its ratio (styles, themes)
CHUNK = 1 << 22  # inflated bytes searched at a time for formulas
SIP = 1 << 16  # … and parsed at a time where only the top of a part is wanted

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")


class Kind(enum.StrEnum):
    XLSX = "xlsx"
    XLS = "xls"
    ODS = "ods"
    CSV = "csv"


def not_readable() -> ServiceError:
    return ServiceError(_("无法读取该文件：文件已损坏，或不是有效的电子表格。"))


def password_protected() -> ServiceError:
    return ServiceError(
        _("文件设置了打开密码，无法读取。请在 Excel 或 WPS 中取消密码（文件→加密）后重新上传。")
    )


def sniff(data: bytes, filename: str) -> Kind:
    """The format of an upload, judged by its bytes; ServiceError when it cannot be read."""
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ServiceError(
            _("文件超过 %(limit)d MB，请按乡镇或选区拆分后分别上传。")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    suffix = posixpath.splitext(filename.lower())[1]
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise ServiceError(_("只能上传 Excel（.xlsx、.xls）、WPS/OpenOffice（.ods）或 CSV 文件。"))
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if suffix in TEXT_SUFFIXES:
        return Kind.CSV
    if _looks_like_markup(data):
        raise ServiceError(
            _(
                "该文件实际上是网页（HTML/XML）格式，常见于业务系统导出的“.xls”。"
                "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。"
            )
        )
    raise ServiceError(
        _(
            "该文件不是有效的电子表格：内容与扩展名“%(suffix)s”不符。请用 Excel 或 WPS 打开后另存为 .xlsx 再上传。"
        )
        % {"suffix": suffix}
    )


def _looks_like_markup(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    return head.startswith((b"<", b"\x00<", b"<\x00"))


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, after its central directory has shown it is not a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise not_readable() from None
    total = sum(m.file_size for m in members)
    bomb = any(
        m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if total > MAX_UNZIPPED or bomb:
        raise ServiceError(
            _("文件解压后异常庞大（可能已损坏，或是伪装成表格的压缩炸弹），已拒绝读取。")
        )
    return archive


def _zip_kind(data: bytes) -> Kind:
    archive = open_zip(data)
    names = set(archive.namelist())
    if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
        return Kind.ODS
    if "[Content_Types].xml" in names and _office_document(archive) is not None:
        types = archive.read("[Content_Types].xml")
        # spreadsheetml: .xlsx/.xltx; ms-excel: .xlsm (a .docx has wordprocessingml instead)
        if b"spreadsheetml" in types or b"ms-excel" in types:
            return Kind.XLSX
    raise ServiceError(_("该文件不是电子表格（可能是 Word 文档或其他压缩包），请检查后重新上传。"))


def _ole_kind(data: bytes) -> Kind:
    # An OOXML workbook with an opening password is an OLE container around
    # "EncryptionInfo" + "EncryptedPackage" (MS-OFFCRYPTO); directory names are UTF-16LE.
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise password_protected()
    stream = cfb_stream(data, "Workbook") or cfb_stream(data, "Book")
    if stream is None:
        raise ServiceError(
            _("该文件不是电子表格（可能是 Word 文档或其他 Office 文件），请检查后重新上传。")
        )
    if _biff_encrypted(stream):
        raise password_protected()
    return Kind.XLS


# --- XML --------------------------------------------------------------------------------------
# The members parsed here passed open_zip's size checks, and Python's expat (>= 2.4.1, bundled
# since 3.11) refuses entity-expansion attacks; the parsers never fetch external entities.


def _pull() -> XMLPullParser:
    return XMLPullParser(events=("start", "end"))


def _events(parser: XMLPullParser) -> Iterator[tuple[str, Element]]:
    # typeshed's union also covers start-ns events, which these parsers do not ask for
    return cast(Iterator[tuple[str, Element]], parser.read_events())


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _small_xml(archive: zipfile.ZipFile, member: str) -> list[tuple[str, dict[str, str]]]:
    """(local tag, attributes with local names) of every element of a small member."""
    parser = _pull()
    parser.feed(archive.read(member))
    parser.close()
    return [
        (_local(el.tag), {_local(k): v for k, v in el.attrib.items()})
        for event, el in _events(parser)
        if event == "start"
    ]


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id → (type, target member) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.namelist():
        return {}
    found = {}
    for tag, attrs in _small_xml(archive, rels):
        if tag == "Relationship" and "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            member = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs["Id"]] = (attrs.get("Type", ""), member)
    return found


def _office_document(archive: zipfile.ZipFile) -> str | None:
    for kind, member in _rels(archive, "").values():
        if kind.endswith("/officeDocument") and member in archive.namelist():
            return member
    return None


def xlsx_parts(archive: zipfile.ZipFile) -> tuple[list[tuple[str, str]], str | None]:
    """([(sheet name, worksheet member)] in workbook order, shared-strings member)."""
    workbook = _office_document(archive)
    if workbook is None:
        raise not_readable()
    rels = _rels(archive, workbook)
    sheets = [
        (attrs.get("name", ""), rels.get(attrs.get("id", ""), ("", ""))[1])
        for tag, attrs in _small_xml(archive, workbook)
        if tag == "sheet"
    ]
    strings = next((m for kind, m in rels.values() if kind.endswith("/sharedStrings")), None)
    return sheets, strings if strings in archive.namelist() else None


def _chunks(archive: zipfile.ZipFile, member: str, size: int | None = None) -> Iterator[bytes]:
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(size or CHUNK):
                yield chunk
    except (zipfile.BadZipFile, KeyError, EOFError, OSError):  # missing part, CRC mismatch
        raise not_readable() from None


_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _text_of(element: Element) -> str:
    """The text of an <is> or <si>: its <t>, or its runs' <t>, never phonetic <rPh> hints."""
    parts: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _number_text(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value


def xlsx_head(
    archive: zipfile.ZipFile, sheet: str, strings: str | None, rows: int
) -> list[list[str | None]]:
    """The first ``rows`` rows of a worksheet as text, by absolute row and column.

    Parses only the top of the sheet's XML (and of the shared strings, up to the highest
    index those rows use), so finding the header costs milliseconds on a million-row sheet.
    """
    cells: dict[tuple[int, int], tuple[str | None, str]] = {}
    parser = _pull()
    row = col = -1
    done = False
    for chunk in _chunks(archive, sheet, SIP):
        parser.feed(chunk)
        for event, el in _events(parser):
            tag = _local(el.tag)
            if event == "start" and tag == "row":
                row = int(el.get("r", row + 2)) - 1
                col = -1
                done = row >= rows
            elif event == "start" and tag == "sheetData":
                row = -1
            elif event == "end" and tag == "c" and not done:
                ref = _CELL_REF.match(el.get("r", ""))
                col = column_index(ref.group(1)) if ref else col + 1
                cells[(row, col)] = _cell_value(el)
                el.clear()
            elif event == "end" and tag == "sheetData":
                done = True
            if done:
                break
        if done:
            break
    shared = _shared_strings(
        archive, strings, {int(v) for t, v in cells.values() if t == "s" and v.isdigit()}
    )
    width = max((c for _r, c in cells), default=-1) + 1
    table: list[list[str | None]] = [
        [None] * width for _ in range(min(rows, max((r for r, _c in cells), default=-1) + 1))
    ]
    for (r, c), (kind, value) in cells.items():
        text = shared.get(int(value)) if kind == "s" and value.isdigit() else value
        if r < len(table):
            table[r][c] = text.strip() if text and text.strip() else None
    return table


def _cell_value(el: Element) -> tuple[str | None, str]:
    kind = el.get("t")
    value = ""
    for child in el:
        tag = _local(child.tag)
        if tag == "v":
            value = child.text or ""
        elif tag == "is":
            value = _text_of(child)
    if kind in (None, "n"):
        value = _number_text(value)
    return kind, value


def _shared_strings(
    archive: zipfile.ZipFile, member: str | None, wanted: set[int]
) -> dict[int, str]:
    found: dict[int, str] = {}
    if member is None or not wanted:
        return found
    parser = _pull()
    index = 0
    last = max(wanted)
    for chunk in _chunks(archive, member, SIP):
        parser.feed(chunk)
        for event, el in _events(parser):
            if event == "end" and _local(el.tag) == "si":
                if index in wanted:
                    found[index] = _text_of(el)
                el.clear()
                index += 1
                if index > last:
                    return found
    return found


_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>]")
_REFERENCE = re.compile(rb'\sr="([A-Z]+)(\d+)"')
UNKNOWN_COLUMN = -1


@dataclass(frozen=True)
class _FormulaPatterns:
    needle: bytes  # cheap first test: "<f" (or "<x:f" in a sheet whose elements are prefixed)
    formula: re.Pattern[bytes]  # a formula element, not <filter>/<firstHeader>
    cell: re.Pattern[bytes]  # a cell whose first child is a formula; group 1: its attributes
    start: re.Pattern[bytes]  # the start of any cell

    @classmethod
    def for_sheet(cls, top: bytes) -> _FormulaPatterns:
        root = _ROOT.search(top)
        raw = root.group(1) + b":" if root and root.group(1) else b""
        p = re.escape(raw)
        return cls(
            needle=b"<" + raw + b"f",
            formula=re.compile(b"<" + p + rb"f[\s>/]"),
            cell=re.compile(b"<" + p + rb"c(\s[^>]*)?>\s*<" + p + rb"f[\s>/]"),
            start=re.compile(b"<" + p + rb"c[\s>/]"),
        )


def xlsx_formula_columns(archive: zipfile.ZipFile, sheet: str, below: int) -> set[int]:
    """Absolute columns holding a formula in a row after 0-based row ``below``.

    The common answer, none, costs one pass of inflate and one substring search per chunk
    (about a second for a million rows); cell references are parsed only once a formula has
    been seen. The data validations and conditional formats after <sheetData> never match:
    theirs are <formula1> and <xm:f>. A formula in a cell without a reference (allowed, rare)
    is reported as UNKNOWN_COLUMN.
    """
    columns: set[int] = set()
    pending = b""
    seen = False
    patterns: _FormulaPatterns | None = None
    for chunk in _chunks(archive, sheet):
        patterns = patterns or _FormulaPatterns.for_sheet(chunk[:SIP])
        if not seen:
            # no copy of the chunk on the fast path: the boundary is checked on its own
            needle = patterns.needle
            if needle not in chunk and needle not in pending[-8:] + chunk[:8]:
                pending = chunk[-1024:]  # a formula's <c …> may begin before the chunk
                continue
            if not patterns.formula.search(pending + chunk):
                pending = chunk[-1024:]
                continue
            seen = True
        window = pending + chunk
        # parse up to the last cell that starts in the window; it may end in the next chunk
        starts = list(patterns.start.finditer(window, max(len(window) - 65536, 0)))
        cut = starts[-1].start() if starts else len(window)
        columns.update(_formula_cells(patterns.cell, window[:cut], below))
        pending = window[cut:]
    if seen and patterns is not None:
        columns.update(_formula_cells(patterns.cell, pending, below))
    return columns


_TYPE = re.compile(rb'\st="(\w+)"')


def xlsx_numeric_rows(archive: zipfile.ZipFile, sheet: str, column: int, below: int) -> set[int]:
    """0-based rows after ``below`` whose cell in ``column`` is stored as a number.

    Only for an ID column that mixes text and numbers (fastexcel's strict inference says
    which): a literal search for the column's references, about 1 s a million rows, where
    python-calamine's typed cells would first build every cell of the sheet as an object.
    """
    letters = _column_letters(column).encode()
    reference = re.compile(rb'\sr="' + letters + rb'(\d+)"')
    rows: set[int] = set()
    pending = b""
    for chunk in _chunks(archive, sheet):
        window = pending + chunk
        cut = window.rfind(b"<")  # the last tag may be cut: it goes with the next chunk
        body, pending = window[:cut], window[cut:]
        for match in reference.finditer(body):
            start = body.rfind(b"<", 0, match.start())
            tag = body[start : body.find(b">", match.end())]
            if tag.endswith(b"/") or not _is_cell(tag):
                continue  # an empty cell, or a reference inside something else
            kind = _TYPE.search(tag)
            row = int(match.group(1)) - 1
            if (kind is None or kind.group(1) == b"n") and row > below:
                rows.add(row)
    return rows


def _is_cell(tag: bytes) -> bool:
    name = tag[1:].split(None, 1)[0] if len(tag) > 1 else b""
    return name == b"c" or name.endswith(b":c")


def _column_letters(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _formula_cells(cell: re.Pattern[bytes], text: bytes, below: int) -> Iterator[int]:
    for match in cell.finditer(text):
        ref = _REFERENCE.search(match.group(1) or b"")
        if ref is None:
            yield UNKNOWN_COLUMN
        elif int(ref.group(2)) - 1 > below:
            yield column_index(ref.group(1).decode())


def _contains(archive: zipfile.ZipFile, member: str, needle: bytes) -> bool:
    tail = b""
    for chunk in _chunks(archive, member):
        if needle in chunk or needle in tail + chunk[: len(needle)]:
            return True
        tail = chunk[-len(needle) :]
    return False


def ods_formula_columns(archive: zipfile.ZipFile, sheet_index: int, below: int) -> set[int]:
    """Absolute columns of the ``sheet_index``-th table holding a formula after row ``below``."""
    if not _contains(archive, "content.xml", b":formula="):
        return set()
    columns: set[int] = set()
    parser = _pull()
    table = row = col = -1
    rows_repeated = 1
    for chunk in _chunks(archive, "content.xml"):
        parser.feed(chunk)
        for event, el in _events(parser):
            tag = _local(el.tag)
            if event == "end":
                if tag == "table-row":
                    row += rows_repeated - 1
                if tag in ("table-cell", "covered-table-cell", "table-row"):
                    el.clear()
                continue
            attrs = {_local(k): v for k, v in el.attrib.items()}
            if tag == "table":
                table, row = table + 1, -1
            elif tag == "table-row":
                row, col = row + 1, -1
                rows_repeated = int(attrs.get("number-rows-repeated", "1"))
            elif tag in ("table-cell", "covered-table-cell"):
                repeat = int(attrs.get("number-columns-repeated", "1"))
                if table == sheet_index and row > below and "formula" in attrs:
                    columns.update(range(col + 1, col + 1 + min(repeat, 16384)))
                col += repeat
    return columns


# --- OLE compound files (.xls) ------------------------------------------------------------------

_FREE = 0xFFFFFFFA  # FAT values at or above this mark the end of a chain or unused sectors


def cfb_stream(data: bytes, name: str) -> bytes | None:
    """One top-level stream of an OLE compound file (MS-CFB), or None if absent/unreadable."""
    try:
        return _cfb_stream(data, name)
    except (struct.error, IndexError, ValueError):
        return None


def _chain(start: int, table: Sequence[int], read: Callable[[int], bytes]) -> bytes:
    """The concatenated sectors of a FAT (or mini-FAT) chain."""
    parts = []
    current = start
    for _step in range(len(table) + 1):  # a cycle in a forged table cannot loop forever
        if current >= _FREE or current >= len(table):
            break
        parts.append(read(current))
        current = table[current]
    return b"".join(parts)


def _cfb_stream(data: bytes, name: str) -> bytes | None:
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    size, mini = 1 << shift, 1 << mini_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    cutoff, first_minifat, _n_minifat, first_difat, n_difat = struct.unpack_from("<5I", data, 56)

    def sector(i: int) -> bytes:
        return data[(i + 1) * size : (i + 2) * size]

    difat = [s for s in struct.unpack_from("<109I", data, 76) if s < _FREE]
    next_difat = first_difat
    for _step in range(n_difat):
        if next_difat >= _FREE:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        difat.extend(s for s in entries[:-1] if s < _FREE)
        next_difat = entries[-1]
    fat = _words(b"".join(sector(s) for s in difat[:n_fat]))
    directory = _chain(first_dir, fat, sector)
    root_start = struct.unpack_from("<I", directory, 116)[0]
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        length = struct.unpack_from("<H", entry, 64)[0]
        if entry[: max(length - 2, 0)].decode("utf-16-le", "replace").lower() != name.lower():
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size >= cutoff:
            return _chain(start, fat, sector)[:stream_size]
        mini_stream = _chain(root_start, fat, sector)
        minifat = _words(_chain(first_minifat, fat, sector))
        return _chain(start, minifat, _slicer(mini_stream, mini))[:stream_size]
    return None


def _slicer(stream: bytes, size: int) -> Callable[[int], bytes]:
    return lambda i: stream[i * size : (i + 1) * size]


def _words(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4])


_BIFF_FORMULA, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_FILEPASS = 0x0006, 0x000A, 0x0085, 0x002F


def _biff_records(stream: bytes, start: int) -> Iterator[tuple[int, bytes]]:
    pos = start
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4 : pos + 4 + length]
        if kind == _BIFF_EOF:
            return
        pos += 4 + length


def _biff_encrypted(stream: bytes) -> bool:
    return any(kind == _BIFF_FILEPASS for kind, _body in _biff_records(stream, 0))


def xls_formula_columns(data: bytes, sheet_index: int, below: int) -> set[int]:
    """Absolute columns of the ``sheet_index``-th sheet holding a formula after row ``below``."""
    stream = cfb_stream(data, "Workbook") or cfb_stream(data, "Book")
    if stream is None:
        return set()
    offsets = [
        struct.unpack_from("<I", body)[0]
        for kind, body in _biff_records(stream, 0)
        if kind == _BIFF_BOUNDSHEET and len(body) >= 4
    ]
    if sheet_index >= len(offsets):
        return set()
    columns: set[int] = set()
    for kind, body in _biff_records(stream, offsets[sheet_index]):
        if kind == _BIFF_FORMULA and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if row > below:
                columns.add(col)
    return columns
