"""The analysts' CSV files, streamed: every district's counters, and the voters with masked
ID numbers. Text a spreadsheet could run as a formula is escaped in every cell."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from renda.core.spreadsheets import escape_formula
from renda.regions.models import District, Region
from renda.stats.exports.table import table_columns
from renda.stats.figures import COUNTERS, Figures
from renda.voters import pii
from renda.voters.models import ACTIVE, Sex, Status, Voter, VoterTally


class _Echo:
    """A file-like object csv.writer can write to; each row comes back as a string."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: object) -> object:
    """Numbers stay numbers; text a spreadsheet could run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    return escape_formula(str(value))


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The CSV text: a UTF-8 BOM first (so Excel reads the Chinese), then one line per row."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def counts_header() -> list[str]:
    columns = {c.key: c.title for c in table_columns()}
    extra = {
        "registered": _("登记（不含停止行使）"),
        "certified_out": _("开具证明待他处登记"),
        "removed": _("已除名"),
    }
    names = [columns.get(key, extra.get(key, key)) for key in COUNTERS]
    return [_("选区代码"), _("乡镇（街道）"), _("选区"), *names, _("已登记"), _("登记率")]


CHUNK = 2000


def counts_rows(election_id: int, lo: int, hi: int) -> Iterator[list[object]]:
    """One row per district of [lo, hi]: its counters (0 where nothing is counted yet), in
    code order, read CHUNK districts at a time by keyset on the code."""
    districts, tally = District._meta.db_table, VoterTally._meta.db_table
    regions = Region._meta.db_table
    columns = ", ".join(f"COALESCE(t.{name}, 0)" for name in COUNTERS)
    sql = (
        f"SELECT d.code, r.name, d.name, {columns} FROM {districts} d "  # noqa: S608
        f"JOIN {regions} r ON r.code = d.township_id LEFT JOIN {tally} t "
        "ON t.district_id = d.code AND t.election_id = %s "
        f"WHERE d.code > %s AND d.code <= %s ORDER BY d.code LIMIT {CHUNK}"
    )
    after = lo - 1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [election_id, after, hi])
            chunk = cursor.fetchall()
        for code, township, name, *counts in chunk:
            figures = Figures.of(dict(zip(COUNTERS, counts, strict=True)))
            rate = figures.rate
            yield [
                f"{code:012d}",
                township,
                name,
                *counts,
                figures.listed,
                "" if rate is None else f"{rate}%",
            ]
        if len(chunk) < CHUNK:
            return
        after = chunk[-1][0]


def voters_header() -> list[str]:
    return [
        _("选区代码"),
        _("乡镇（街道）"),
        _("选区"),
        _("姓名"),
        _("性别"),
        _("出生年月"),
        _("公民身份号码（隐去中间位）"),
        _("状态"),
    ]


def voters_rows(
    voters: QuerySet[Voter], district_codes: Iterable[tuple[int, str, str]]
) -> Iterator[list[object]]:
    """The active voters of each district in turn, in pinyin order (the list's own index),
    the ID number masked: 4201**********1234."""
    sexes = {s.value: str(s.label) for s in Sex}
    statuses = {s.value: str(s.label) for s in Status}
    for code, township, name in district_codes:
        rows = (
            voters.filter(district_id=code, status__in=ACTIVE)
            .order_by("name_pinyin", "id")
            .values_list("name", "sex", "birth_date", "id_cipher", "status")
        )
        for person, sex, born, cipher, status in rows.iterator(chunk_size=CHUNK):
            yield [
                f"{code:012d}",
                township,
                name,
                person,
                sexes.get(sex, ""),
                f"{born:%Y-%m}",
                pii.masked(cipher),
                statuses.get(status, status),
            ]


def districts_in(lo: int, hi: int) -> Iterator[tuple[int, str, str]]:
    rows = District.objects.filter(code__gte=lo, code__lte=hi).order_by("code")
    yield from rows.values_list("code", "township__name", "name").iterator(chunk_size=CHUNK)
