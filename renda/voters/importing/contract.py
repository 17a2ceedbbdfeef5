"""The data that passes between the stages of the voter import. Changing a field here changes
a contract between modules: keep it in step with every stage and its tests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

# Canonical column keys. A Table's frame uses these names for the columns it recognised;
# other columns keep their header text (they are copied into the error report untouched).
ID_NUMBER = "id_number"
NAME = "name"
SEX = "sex"
BIRTH_DATE = "birth_date"
ETHNICITY = "ethnicity"
HOUSEHOLD_ADDRESS = "household_address"
RESIDENCE_ADDRESS = "residence_address"
PHONE = "phone"
GROUP = "group"
RESIDENCE_KIND = "residence_kind"
KIND = "kind"  # 变动类型 (新满十八周岁 / 迁入 …), optional
NOTE = "note"
DISTRICT = "district"  # 选区代码, optional: rows for several districts in one file
COURT_DATE = "court_date"  # 恢复政治权利日期, optional: needed on rows of kind 恢复政治权利
REQUIRED = (ID_NUMBER, NAME)

# Extra columns every stage may rely on:
ROW = "__row"  # the 1-based row number as the sheet shows it (Excel row, CSV line)
ID_NUMERIC = "__id_numeric"  # bool: the ID cell was stored as a number by Excel


@dataclass(frozen=True)
class Table:
    """One sheet read from a file: every cell as text (or null), header resolved."""

    frame: pl.DataFrame  # Utf8 columns (+ ROW: Int64, ID_NUMERIC: Boolean)
    headers: list[str]  # the original header texts, in file order
    mapping: dict[str, str]  # canonical key → original header text
    header_row: int  # 1-based row number of the header line
    sheet: str  # the sheet name ("" for CSV)
    skipped_rows: int = 0  # blank lines and totals (合计/总计) dropped
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # key → candidate headers


@dataclass(frozen=True)
class Context:
    """What validation needs to know besides the table."""

    election_day: date
    feb29_rule: str  # renda.voters.rules.Feb29Rule value
    hmt_policy: str  # renda.voters.models.HmtPolicy value
    known_address_codes: frozenset[str]  # six-digit GB/T 2260 codes ever in force
    today: date


# Columns validate() adds to the frame (besides the canonical ones, normalised):
ID_NORMALIZED = "__id"  # 18 characters, or null when the number is unusable
BIRTH_FROM_ID = "__birth"  # Date
SEX_FROM_ID = "__sex"  # "M"/"F"
ETHNICITY_CODE = "__ethnicity"  # Int (GB 3304), default 1 when the column is absent
ERRORS = "__errors"  # List[Utf8]: reasons the row cannot be registered (Chinese, name the field)
WARNINGS = "__warnings"  # List[Utf8]: notes that do not stop the row (unknown address code …)
FLAGS = "__flags"  # List[Utf8]: idnumbers FLAG_* values
EFFECTIVE_DATE = "__effective"  # Date: the court's date on 恢复政治权利 rows, else null


@dataclass
class Checked:
    """The validated table: ``frame`` holds every data row with ERRORS/WARNINGS filled.

    Not frozen: a commit handed the table (``commit(..., lean=True)``) lets go of what it no
    longer needs as it goes (``drop_values``, ``keep_flagged``), so that a million rows are not
    held three times over — as read, as validated and as the commit's candidates."""

    table: Table
    frame: pl.DataFrame
    warnings: tuple[str, ...] = ()  # about the whole file (e.g. no 民族 column: all 汉族)

    def drop_values(self) -> None:
        """Keep of the validated frame only what the outcome and the report read (the row
        number, errors and warnings); the table as read stays whole."""
        self.frame = self.frame.select(ROW, ERRORS, WARNINGS)

    def keep_flagged(self, noted: Collection[int]) -> None:
        """Keep only the rows the report lists — an error, a warning, or a note (``noted``:
        their row numbers) — in the validated frame and in the table as read."""
        flagged = self.frame.filter(
            (pl.col(ERRORS).list.len() > 0)
            | (pl.col(WARNINGS).list.len() > 0)
            | pl.col(ROW).is_in(pl.Series(list(noted), dtype=pl.Int64).implode())
        )
        rows = flagged[ROW].implode()
        self.frame = flagged.select(ROW, ERRORS, WARNINGS)
        self.table = replace(self.table, frame=self.table.frame.filter(pl.col(ROW).is_in(rows)))

    @property
    def accepted(self) -> pl.DataFrame:
        return self.frame.filter(pl.col(ERRORS).list.len() == 0)

    @property
    def rejected(self) -> pl.DataFrame:
        return self.frame.filter(pl.col(ERRORS).list.len() > 0)


@dataclass(frozen=True)
class Outcome:
    """What the commit did (or, in a dry run, would do)."""

    read: int
    accepted: int  # inserted (or would be, in a dry run)
    rejected: int  # rows with errors
    warnings: int  # rows with warnings
    conflicts: int  # active in another district: not inserted (feeds the transfer workflow)
    already_registered: int  # active in this district already (unchanged, or updated)
    updated: int = 0  # with --update: registered here with different fields, now corrected
    flagged_removed: int = 0  # previously removed as deceased/deprived: flagged for review
    dry_run: bool = False
    # per data row (by ROW): the commit's verdict for the report, e.g. "已在××选区登记"
    row_notes: dict[int, str] = field(default_factory=dict)
