"""Finding the header row of an uploaded register and naming its columns.

Registrars' sheets put one or more title rows above the header ("××村第一选区选民登记表",
a date line), and name the same column many ways (公民身份号码, 身份证号, 证件号码 …). The
header is the first of the top rows that names both an ID column and a name column; every
header cell is matched against ``SYNONYMS`` after folding away what varies between offices
(full-width forms, spaces, required-field asterisks, brackets, colons).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.voters.importing.contract import (
    BIRTH_DATE,
    COURT_DATE,
    DISTRICT,
    ETHNICITY,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NUMBER,
    KIND,
    NAME,
    NOTE,
    PHONE,
    REQUIRED,
    RESIDENCE_ADDRESS,
    RESIDENCE_KIND,
    SEX,
)

# The first name of each key is the official template's header (template.py writes it).
SYNONYMS: dict[str, tuple[str, ...]] = {
    ID_NUMBER: (
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "证件号码",
        "身份证",
        "公民身份证号码",
        "公民身份证号",
        "居民身份证号码",
        "身份证件号码",
        "证件号",
    ),
    NAME: ("姓名", "选民姓名"),
    SEX: ("性别",),
    BIRTH_DATE: ("出生日期", "出生年月", "出生年月日"),
    ETHNICITY: ("民族",),
    HOUSEHOLD_ADDRESS: ("户籍地址", "户籍所在地", "户口所在地", "户籍住址", "户籍所在地址"),
    RESIDENCE_ADDRESS: ("现住址", "居住地址", "现居住地址", "现居住地"),
    PHONE: ("联系电话", "手机号码", "手机号", "电话", "联系方式"),
    GROUP: ("村（居）民小组", "村民小组", "居民小组", "小组", "组别"),
    RESIDENCE_KIND: ("登记类型", "居住类型"),
    KIND: ("变动类型", "登记原因", "增减类型"),
    COURT_DATE: ("恢复政治权利日期", "恢复政治权利时间", "恢复日期"),
    NOTE: ("备注",),
    DISTRICT: ("选区代码", "选区编码"),
}

# What one office writes and another doesn't: spaces (also inside words: "姓  名"), the
# asterisk that marks a required field, brackets, colons, line breaks.
_NOISE = re.compile(r"[\s*＊()（）\[\]【】:：]+")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def normalize_header(text: str) -> str:
    """The comparable form of a header cell: NFKC, lower case, no spaces/asterisks/brackets."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _lookup() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for key, names in SYNONYMS.items():
        for rank, name in enumerate(names):
            table.setdefault(normalize_header(name), (key, rank))
    return table


_LOOKUP = _lookup()


def header_key(text: str | None) -> tuple[str, int] | None:
    """(canonical key, rank of the synonym) for a header cell, or None.

    "村（居）民小组" keeps its bracketed 居; "身份证号码（18位）" loses its annotation: the text
    is tried whole first, then without anything in brackets.
    """
    if not text:
        return None
    found = _LOOKUP.get(normalize_header(text))
    if found is None:
        found = _LOOKUP.get(
            normalize_header(_BRACKETED.sub("", unicodedata.normalize("NFKC", text)))
        )
    return found


def _row_keys(row: Sequence[str | None]) -> dict[str, list[tuple[int, int]]]:
    """key → [(rank, column)] for every header cell of a row that names a key."""
    keys: dict[str, list[tuple[int, int]]] = {}
    for col, cell in enumerate(row):
        found = header_key(cell)
        if found is not None:
            keys.setdefault(found[0], []).append((found[1], col))
    return keys


def match_header(
    rows: Sequence[Sequence[str | None]], scan: int = 20
) -> tuple[int, dict[str, int], dict[str, list[int]]]:
    """Find the header among the first ``scan`` rows and map canonical keys to columns.

    Returns (the header's 0-based index in ``rows``, key → column, key → candidate columns for
    keys that two or more columns name). An ambiguous key maps to its best candidate: the
    most official name (the synonym listed first), then the leftmost column.
    """
    best: dict[str, list[tuple[int, int]]] = {}
    for index, row in enumerate(rows[:scan]):
        keys = _row_keys(row)
        if all(key in keys for key in REQUIRED):
            positions = {key: min(found)[1] for key, found in keys.items()}
            ambiguous = {
                key: sorted(col for _rank, col in found)
                for key, found in keys.items()
                if len(found) > 1
            }
            return index, positions, ambiguous
        if len(keys) > len(best):
            best = keys
    raise ServiceError(missing_columns_message([key for key in REQUIRED if key not in best], scan))


_LABELS = {ID_NUMBER: "身份证号码", NAME: "姓名"}


def missing_columns_message(missing: Sequence[str], scan: int = 20) -> str:
    names = "和".join(f"{_LABELS[key]}列" for key in missing)
    return _(
        "在表格前 %(scan)d 行中找不到%(names)s。表头应包含“公民身份号码”"
        "（或“身份证号码”“身份证号”）和“姓名”，可下载官方模板对照。"
    ) % {"scan": scan, "names": names}
