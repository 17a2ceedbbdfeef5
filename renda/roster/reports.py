"""The cross-check queries (校验比对): set-based SQL over a code range, one statement each.

Built for a province (10M registrations × 10M roster records on PostgreSQL): every report is
one scan of the roster or of the register joined to the other on the ID hash (a hash join,
not a probe per row), grouped by the child region in integer arithmetic on the district code.
Nothing here is scoped to a user: ``selectors`` hands in a range the user may see.

- 漏登 (missing): household records of the range's districts, still expected, with no active
  registration of the same hash anywhere (records without a valid number count too: nothing
  shows they are registered).
- 错登 (wrong details): active registrations in the range whose hash is on the roster with
  another name (after t2s, so 張三 = 张三), sex or birth date. The join returns only rows that
  differ in SQL; the t2s comparison then drops the script-only differences.
- registered elsewhere (重登 risk): roster records of the range's districts whose person is
  active in another district, unless the district has said they live elsewhere.
- conflicts: open RegistrationConflict rows (someone tried to register a person active
  elsewhere), per district that tried.
- unassigned: household records in the range's townships that no mapping rule reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import polars as pl
from django.db import connection

from renda.regions.codes import SPAN, Level
from renda.roster.models import (
    BaseRecord,
    ExceptionReason,
    RecordStatus,
    SourceKind,
)
from renda.voters.importing.normalize import to_simplified
from renda.voters.models import ACTIVE, RegistrationConflict, Sex, Voter
from renda.voters.names import clean_name

SECTIONS = ("missing", "wrong", "elsewhere", "conflicts", "unassigned")


def child_span(level: int) -> int:
    """How many codes one child of a region of ``level`` spans (a township's children are
    its districts: 1)."""
    return SPAN[min(level + 1, Level.DISTRICT)]


@dataclass
class Figures:
    """The cross-check figures of one region (or one child of it)."""

    records: int = 0  # household records assigned here
    expected: int = 0  # status expected
    confirmed: int = 0
    exceptions: int = 0
    missing: int = 0  # 漏登
    wrong: int = 0  # 错登
    elsewhere: int = 0
    conflicts: int = 0
    unassigned: int = 0

    @property
    def denominator(self) -> int:
        """应登记: expected and confirmed people (exceptions are accounted for)."""
        return self.expected + self.confirmed

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    lo: int
    hi: int
    span: int  # child span: rows are keyed by code // span * span
    rows: dict[int, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)
    wrong_rows: list[WrongDetails] = field(default_factory=list)  # the 错登 found

    def row(self, code: int) -> Figures:
        key = code // self.span * self.span
        if key not in self.rows:
            self.rows[key] = Figures()
        return self.rows[key]


def _q(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _marks(values: tuple[Any, ...] | list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def crosscheck(lo: int, hi: int, level: int) -> Report:
    """Every figure for the districts in [lo, hi], per child region of a region of ``level``."""
    report = Report(lo, hi, child_span(level))
    _base_side(report)
    report.wrong_rows = wrong_details(lo, hi)
    for row in report.wrong_rows:
        report.row(row.voter_district).wrong += 1
    _conflicts(report)
    _unassigned(report)
    for figures in report.rows.values():
        report.total.add(figures)
    return report


def _base_side(report: Report) -> None:
    """Counts by status, 漏登 and registered elsewhere: the roster of the range left-joined to
    the active register on the hash, in one pass."""
    records, voters = _q(BaseRecord), _q(Voter)
    span = report.span
    sql = (
        f"SELECT (r.district_id / {span}) * {span} AS child, "  # noqa: S608 — names, ints
        "COUNT(*), "
        "SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.status = %s AND v.id IS NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN v.district_id <> r.district_id AND r.exception_reason <> %s "
        "THEN 1 ELSE 0 END) "
        f"FROM {records} r LEFT JOIN {voters} v ON v.id_hash = r.id_hash "
        f"AND v.status IN ({_marks(ACTIVE)}) "
        "WHERE r.source = %s AND r.district_id BETWEEN %s AND %s GROUP BY 1"
    )
    params: list[Any] = [
        RecordStatus.EXPECTED,
        RecordStatus.CONFIRMED,
        RecordStatus.EXCEPTION,
        RecordStatus.EXPECTED,
        ExceptionReason.LIVES_ELSEWHERE,
        *ACTIVE,
        SourceKind.HOUSEHOLD,
        report.lo,
        report.hi,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for child, n, expected, confirmed, exceptions, missing, elsewhere in cursor.fetchall():
            row = report.row(int(child))
            row.records += n
            row.expected += int(expected or 0)
            row.confirmed += int(confirmed or 0)
            row.exceptions += int(exceptions or 0)
            row.missing += int(missing or 0)
            row.elsewhere += int(elsewhere or 0)


def _conflicts(report: Report) -> None:
    span = report.span
    table = _q(RegistrationConflict)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (district_id / {span}) * {span}, COUNT(*) FROM {table} "  # noqa: S608
            "WHERE resolved_at IS NULL AND district_id BETWEEN %s AND %s GROUP BY 1",
            [report.lo, report.hi],
        )
        for child, n in cursor.fetchall():
            report.row(int(child)).conflicts += n


def _unassigned(report: Report) -> None:
    """Records no rule reached, counted where their township lies (a township's own report
    shows them on the township's line: its children are districts)."""
    span = max(report.span, SPAN[Level.TOWNSHIP])
    table = _q(BaseRecord)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (township_code / {span}) * {span}, COUNT(*) FROM {table} "  # noqa: S608
            "WHERE source = %s AND district_id IS NULL AND township_code BETWEEN %s AND %s "
            "GROUP BY 1",
            [
                SourceKind.HOUSEHOLD.value,
                report.lo // SPAN[Level.TOWNSHIP] * SPAN[Level.TOWNSHIP],
                report.hi,
            ],
        )
        for child, n in cursor.fetchall():
            report.row(int(child)).unassigned += n


# --- 错登 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrongDetails:
    voter_id: int
    voter_district: int
    record_id: int
    record_district: int | None
    voter_name: str
    record_name: str
    voter_sex: str
    record_sex: str
    voter_birth: date | None
    record_birth: date | None

    @property
    def voter_sex_label(self) -> str:
        return str(Sex(self.voter_sex).label) if self.voter_sex in Sex.values else ""

    @property
    def record_sex_label(self) -> str:
        return str(Sex(self.record_sex).label) if self.record_sex in Sex.values else ""

    fields: tuple[str, ...] = ()  # which of name, sex, birth_date disagree

    def with_fields(self, simplified: dict[str, str]) -> WrongDetails:
        out = []
        if simplified.get(self.voter_name, self.voter_name) != self.record_name:
            out.append("name")
        if self.record_sex and self.voter_sex != self.record_sex:
            out.append("sex")
        if self.record_birth is not None and self.voter_birth != self.record_birth:
            out.append("birth_date")
        return replace(self, fields=tuple(out))


def _simplified(names: set[str]) -> dict[str, str]:
    """Each name cleaned and in simplified characters: one OpenCC call for them all."""
    ordered = sorted(names)
    cleaned = pl.Series([clean_name(n) for n in ordered], dtype=pl.String)
    return dict(zip(ordered, to_simplified(cleaned).fill_null("").to_list(), strict=True))


def wrong_details(
    lo: int, hi: int, *, after: int = 0, limit: int | None = None
) -> list[WrongDetails]:
    """Active registrations in [lo, hi] that disagree with their roster record, in voter id
    order (keyset: ``after`` a voter id)."""
    records, voters = _q(BaseRecord), _q(Voter)
    sql = (
        "SELECT v.id, v.district_id, r.id, r.district_id, v.name, r.name, v.sex, r.sex, "  # noqa: S608
        "v.birth_date, r.birth_date "
        f"FROM {voters} v JOIN {records} r ON r.id_hash = v.id_hash "
        f"WHERE v.status IN ({_marks(ACTIVE)}) AND v.district_id BETWEEN %s AND %s "
        "AND r.source = %s AND v.id > %s AND (v.name <> r.name "
        "OR (r.sex <> '' AND v.sex <> r.sex) "
        "OR (r.birth_date IS NOT NULL AND v.birth_date <> r.birth_date)) "
        "ORDER BY v.id, r.id"
    )
    params: list[Any] = [*ACTIVE, lo, hi, SourceKind.HOUSEHOLD, after]
    if limit is not None:  # a page: a few more, since script-only differences drop out
        sql += " LIMIT %s"
        params.append(limit * 4)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = [
            WrongDetails(
                voter_id=raw[0],
                voter_district=raw[1],
                record_id=raw[2],
                record_district=raw[3],
                voter_name=raw[4],
                record_name=raw[5],
                voter_sex=raw[6],
                record_sex=raw[7],
                voter_birth=_as_date(raw[8]),
                record_birth=_as_date(raw[9]),
            )
            for raw in cursor.fetchall()
        ]
    simplified = _simplified({w.voter_name for w in found if w.voter_name != w.record_name})
    out = [row for w in found if (row := w.with_fields(simplified)).fields]
    return out[:limit] if limit is not None else out


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
