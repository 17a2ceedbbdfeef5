"""Checked frames for the commit tests, built directly (as validate() would hand them over)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import polars as pl

from renda.voters.idnumbers import check_char, check_id
from renda.voters.importing.contract import (
    BIRTH_FROM_ID,
    EFFECTIVE_DATE,
    ERRORS,
    ETHNICITY_CODE,
    FLAGS,
    ID_NORMALIZED,
    ID_NUMBER,
    ID_NUMERIC,
    NAME,
    ROW,
    SEX_FROM_ID,
    WARNINGS,
    Checked,
    Table,
)

_serial = itertools.count(1)


def new_id(address: str = "420102") -> str:
    """A valid ID number (a man born 1950–1999) that no other call returns."""
    return numbered_id(next(_serial), address)


def numbered_id(n: int, address: str = "420102") -> str:
    """The ``n``-th of a series of distinct valid ID numbers (n < 9,000,000)."""
    k = n // 500
    born = date(1950 + k % 50, 1, 1) + timedelta(days=k // 50 % 365)
    first17 = f"{address}{born:%Y%m%d}{n % 500 * 2 + 1:03d}"
    return first17 + check_char(first17)


def person(
    name: str = "张三",
    number: str | None = None,
    *,
    errors: tuple[str, ...] = (),
    warnings: tuple[str, ...] = (),
    code: int = 1,
    effective: date | None = None,
    **cells: str | None,
) -> dict[str, Any]:
    """One data row; ``cells`` are other canonical columns (phone="…", district="…",
    ethnicity="土家族" with ``code`` 15: ETHNICITY_CODE as validation gives it)."""
    number = number or new_id()
    check = check_id(number)
    assert check.valid, number
    return {
        ID_NUMBER: number,
        ID_NORMALIZED: check.normalized,
        NAME: name,
        BIRTH_FROM_ID: check.birth_date,
        SEX_FROM_ID: check.sex,
        ETHNICITY_CODE: code,
        ERRORS: list(errors),
        WARNINGS: list(warnings),
        FLAGS: [],
        ID_NUMERIC: False,
        EFFECTIVE_DATE: effective,
        **cells,
    }


def sheet(*people: dict[str, Any]) -> Checked:
    """The rows as a Checked frame: header on sheet row 1, data from row 2."""
    columns: list[str] = []
    for p in people:
        columns += [key for key in p if key not in columns]
    schema: dict[str, Any] = dict.fromkeys(columns, pl.Utf8)
    schema.update(
        {
            BIRTH_FROM_ID: pl.Date,
            EFFECTIVE_DATE: pl.Date,
            ETHNICITY_CODE: pl.Int64,
            ERRORS: pl.List(pl.Utf8),
            WARNINGS: pl.List(pl.Utf8),
            FLAGS: pl.List(pl.Utf8),
            ID_NUMERIC: pl.Boolean,
        }
    )
    data = {key: [p.get(key) for p in people] for key in columns}
    frame = pl.DataFrame(data, schema=schema).with_columns(
        pl.int_range(2, len(people) + 2, dtype=pl.Int64).alias(ROW)
    )
    headers = [c for c in columns if not c.startswith("__")]
    table = Table(
        frame=frame.select(ROW, *headers),
        headers=headers,
        mapping={h: h for h in headers},
        header_row=1,
        sheet="",
    )
    return Checked(table=table, frame=frame)
