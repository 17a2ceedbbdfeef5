"""The "base_data" import kind: a household roster or a reference list, read and checked by the
voter import's own stages (reader → validate), then shaped into BaseRecord rows.

What differs from a voter import:

- rows whose only fault is the ID number (empty, mistyped, malformed) are kept, with
  ``id_valid`` false and no hash, for fuzzy matching; the report still names the fault;
- a household roster needs 乡镇（街道） (a name or code inside the batch's region) and may
  carry 村（居）委会, which the district mapping uses; a reference list may carry a date
  (死亡日期, 判决日期, 恢复政治权利日期 …), an end date and a document number;
- the age check runs against the chosen election's day for a roster; a reference list is
  not age-checked (a deceased list holds whoever died).

Options (set by the upload view): source (SourceKind), region (code), election (pk or None),
reference (文号), sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renda.core import privatefiles
from renda.core.errors import ServiceError
from renda.imports import registry
from renda.imports.models import ImportRun
from renda.imports.services import import_run_progress
from renda.regions.codes import SPAN, Level
from renda.regions.models import Region
from renda.regions.selectors import address_codes
from renda.roster.models import SourceKind
from renda.voters.importing import normalize as nz
from renda.voters.importing.columns import normalize_header
from renda.voters.importing.contract import (
    BIRTH_DATE,
    BIRTH_FROM_ID,
    COURT_DATE,
    ERRORS,
    ETHNICITY_CODE,
    HOUSEHOLD_ADDRESS,
    ID_NORMALIZED,
    ID_NUMBER,
    NAME,
    ROW,
    SEX,
    SEX_FROM_ID,
    WARNINGS,
    Checked,
    Context,
    Outcome,
)
from renda.voters.importing.validate import fmt
from renda.voters.models import Election, HmtPolicy
from renda.voters.rules import Feb29Rule

if TYPE_CHECKING:
    from renda.roster.services.batches import Loaded

KIND = "base_data"

# Extra columns, found by their header (after columns.normalize_header): key → names.
TOWNSHIP, VILLAGE, EFFECTIVE, UNTIL, DOCUMENT = "township", "village", "effective", "until", "doc"
EXTRA_HEADERS: dict[str, tuple[str, ...]] = {
    TOWNSHIP: (
        "乡镇（街道）",
        "乡（镇、街道）",
        "乡镇",
        "街道",
        "所属乡镇",
        "乡镇代码",
        "乡镇名称",
    ),
    VILLAGE: (
        "户籍所在村居",
        "村（居）委会",
        "村（居）民委员会",
        "村（社区）",
        "所属村居",
        "村居",
        "村委会",
        "居委会",
        "社区",
    ),
    EFFECTIVE: (
        "死亡日期",
        "判决日期",
        "生效日期",
        "剥夺政治权利起始日期",
        "停止行使选举权利日期",
        "决定日期",
        "起始日期",
    ),
    UNTIL: ("剥夺政治权利截止日期", "剥夺政治权利至", "截止日期", "期满日期"),
    DOCUMENT: ("文书编号", "文书号", "判决书编号", "决定书编号", "死亡证明编号", "文号"),
}
# Internal columns of the shaped frame.
HASH_TEXT, VALID = "__id_text", "__valid"


@dataclass(frozen=True)
class Shaped:
    """The records to write (one per kept row) and the notes on rows refused or kept."""

    records: pl.DataFrame
    notes: dict[int, str]
    refused: int
    invalid_ids: int


def context_for(election: Election | None) -> Context:
    """A roster is checked against its election's day; a reference list is not age-checked
    (its election day is put 19 years ahead, so nobody alive is under 18 on it)."""
    today = timezone.localdate()
    if election is not None:
        return Context(
            election_day=election.election_day,
            feb29_rule=election.feb29_rule,
            hmt_policy=election.hmt_policy,
            known_address_codes=address_codes(),
            today=today,
        )
    return Context(
        election_day=date(today.year + 19, 1, 1),
        feb29_rule=Feb29Rule.FEB_28,
        hmt_policy=HmtPolicy.ALLOW,
        known_address_codes=address_codes(),
        today=today,
    )


def extra_columns(columns: list[str]) -> dict[str, str]:
    """key → the frame column holding it, for the extra columns the sheet has."""
    wanted = {normalize_header(name): key for key, names in EXTRA_HEADERS.items() for name in names}
    found: dict[str, str] = {}
    for column in columns:
        key = wanted.get(normalize_header(column))
        if key is not None and key not in found:
            found[key] = column
    return found


def shape(checked: Checked, *, source: str, region: Region, ctx: Context) -> Shaped:
    """The rows to keep, as BaseRecord columns (without hashes yet), and notes for the rest."""
    frame = checked.frame
    extra = extra_columns(frame.columns)
    notes: dict[int, str] = {}
    errors = pl.col(ERRORS).list.len()
    # The ID checks come first among a row's errors and at most one of them fires, so a row
    # with no usable number and exactly one error has nothing wrong but the number.
    id_only = pl.col(ID_NORMALIZED).is_null() & (errors == 1)
    kept = frame.filter((errors == 0) | id_only)
    rows = kept.select(
        ROW,
        pl.col(ID_NORMALIZED).is_not_null().alias(VALID),
        pl.coalesce(ID_NORMALIZED, ID_NUMBER).alias(HASH_TEXT),
        pl.col(NAME).alias("name"),
        pl.coalesce(SEX_FROM_ID, SEX).fill_null("").alias("sex"),
        pl.coalesce(BIRTH_FROM_ID, pl.col(BIRTH_DATE).str.to_date("%Y-%m-%d", strict=False)).alias(
            "birth_date"
        ),
        pl.col(ETHNICITY_CODE).cast(pl.Int64).fill_null(1).alias("ethnicity"),
        pl.col(HOUSEHOLD_ADDRESS).fill_null("").str.slice(0, 200).alias("household_address"),
        _text(kept, extra.get(VILLAGE), 64).alias("village"),
        _text(kept, extra.get(DOCUMENT), 100).alias("document"),
        pl.lit(source).alias("source"),
    )
    for row in kept.filter(id_only)[ROW].to_list():
        notes[row] = _("身份证号码无效，已作为无有效号码的记录保存，供人工比对。")
    rows = _under_age(rows, notes, ctx, source)
    rows = _with_places(rows, kept, extra.get(TOWNSHIP), notes, source=source, region=region)
    rows = _with_dates(rows, kept, extra, notes, source=source)
    written = set(rows[ROW].to_list())
    refused = sum(1 for row in notes if row not in written)
    return Shaped(
        records=rows,
        notes=notes,
        refused=refused,
        invalid_ids=rows.filter(~pl.col(VALID)).height,
    )


def _text(frame: pl.DataFrame, column: str | None, length: int) -> pl.Expr:
    if column is None:
        return pl.lit("", dtype=pl.String)
    return (
        pl.col(column)
        .cast(pl.String)
        .fill_null("")
        .str.normalize("NFKC")
        .str.strip_chars()
        .str.slice(0, length)
    )


def _refuse(
    rows: pl.DataFrame, notes: dict[int, str], where: pl.Expr, note: pl.Expr
) -> pl.DataFrame:
    refused = rows.filter(where).select(ROW, note.alias("__note"))
    notes.update(zip(refused[ROW].to_list(), refused["__note"].to_list(), strict=True))
    return rows.filter(~where) if refused.height else rows


def _under_age(
    rows: pl.DataFrame, notes: dict[int, str], ctx: Context, source: str
) -> pl.DataFrame:
    """Rows kept without a valid number are age-checked by their 出生日期 cell (a roster)."""
    if source != SourceKind.HOUSEHOLD:
        return rows
    cutoff = nz.age_cutoff(ctx.election_day, ctx.feb29_rule)
    young = ~pl.col(VALID) & (pl.col("birth_date") > cutoff).fill_null(False)
    note = fmt(
        _("至选举日（%(day)s）未满十八周岁（%(born)s 出生），不列入基础数据。"),
        day=ctx.election_day.isoformat(),
        born=pl.col("birth_date").dt.to_string("%Y-%m-%d"),
    )
    return _refuse(rows, notes, young, note)


def townships_in(region: Region) -> list[tuple[int, str]]:
    """(code, name) of every current township in ``region``'s subtree."""
    lo, hi = region.subtree
    return list(
        Region.objects.filter(
            level=Level.TOWNSHIP, code__gte=lo, code__lte=hi, valid_to__isnull=True
        ).values_list("code", "name")
    )


def resolve_townships(values: list[str], region: Region) -> dict[str, int | str]:
    """Each distinct 乡镇 cell → its township code, or the Chinese reason it cannot be used."""
    places = townships_in(region)
    codes = {code for code, _name in places}
    by_name: dict[str, list[int]] = {}
    for code, name in places:
        by_name.setdefault(name, []).append(code)
    out: dict[str, int | str] = {}
    for value in values:
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) in (9, 12):
            code = int(text[:9].ljust(12, "0"))
            out[value] = (
                code
                if code in codes
                else _("乡镇代码“%(v)s”不在“%(r)s”范围内，未导入。") % {"v": text, "r": region.name}
            )
            continue
        found = by_name.get(text, [])
        if len(found) == 1:
            out[value] = found[0]
        elif found:
            out[value] = _("乡镇“%(v)s”在“%(r)s”有重名，请改填 9 位乡镇代码，未导入。") % {
                "v": text,
                "r": region.name,
            }
        else:
            out[value] = _("乡镇“%(v)s”不在“%(r)s”范围内，未导入。") % {
                "v": text,
                "r": region.name,
            }
    return out


def _with_places(
    rows: pl.DataFrame,
    kept: pl.DataFrame,
    column: str | None,
    notes: dict[int, str],
    *,
    source: str,
    region: Region,
) -> pl.DataFrame:
    """township_code and county_code of every row. A roster names the township (unless the
    batch is one township's); a reference list may, else it gets the batch region's code."""
    if column is None:
        if source == SourceKind.HOUSEHOLD and region.level != Level.TOWNSHIP:
            raise ServiceError(
                _("基础数据表须有“乡镇（街道）”列（乡镇名称或 9 位代码），才能按村（居）划入选区。")
            )
        township = region.code if region.level == Level.TOWNSHIP else None
        county = _county_of(region.code, region.level)
        return rows.with_columns(
            pl.lit(township, dtype=pl.Int64).alias("township_code"),
            pl.lit(county, dtype=pl.Int64).alias("county_code"),
        )
    cells = kept.select(ROW, pl.col(column).cast(pl.String).str.strip_chars().alias("__t"))
    rows = rows.join(cells, on=ROW, how="left", maintain_order="left")
    distinct = [v for v in rows["__t"].unique().to_list() if v]
    resolved = resolve_townships(distinct, region)
    good = {v: r for v, r in resolved.items() if isinstance(r, int)}
    bad = {v: r for v, r in resolved.items() if isinstance(r, str)}
    rows = rows.with_columns(
        pl.col("__t").replace_strict(good, default=None, return_dtype=pl.Int64).alias("__code"),
        pl.col("__t").replace_strict(bad, default=None, return_dtype=pl.String).alias("__why"),
    )
    rows = _refuse(rows, notes, pl.col("__why").is_not_null(), pl.col("__why"))
    if source == SourceKind.HOUSEHOLD:
        missing = pl.col("__code").is_null()
        rows = _refuse(rows, notes, missing, pl.lit(_("“乡镇（街道）”为空，未导入。")))
    fallback = _county_of(region.code, region.level)
    return rows.with_columns(
        pl.col("__code").alias("township_code"),
        pl.when(pl.col("__code").is_null())
        .then(pl.lit(fallback, dtype=pl.Int64))
        .otherwise(pl.col("__code") // SPAN[Level.COUNTY] * SPAN[Level.COUNTY])
        .alias("county_code"),
    ).drop("__t", "__code", "__why")


def _county_of(code: int, level: int) -> int:
    """The county holding ``code``, or the region itself above county level."""
    if level >= Level.COUNTY:
        return code // SPAN[Level.COUNTY] * SPAN[Level.COUNTY]
    return code


def _with_dates(
    rows: pl.DataFrame,
    kept: pl.DataFrame,
    extra: dict[str, str],
    notes: dict[int, str],
    *,
    source: str,
) -> pl.DataFrame:
    """effective_date and until_date from their columns (恢复政治权利日期 is the voter
    import's own court-date column); a restoration needs its date."""
    effective = extra.get(EFFECTIVE) or (COURT_DATE if COURT_DATE in kept.columns else None)
    for target, column in (("effective_date", effective), ("until_date", extra.get(UNTIL))):
        if column is None:
            rows = rows.with_columns(pl.lit(None, dtype=pl.Date).alias(target))
            continue
        cells = kept.select(ROW, pl.col(column).cast(pl.String))
        parsed = nz.parse_dates(cells[column])
        dates = pl.DataFrame(
            {
                ROW: cells[ROW],
                target: parsed["date"],
                "__bad": parsed["present"] & parsed["date"].is_null(),
                "__raw": cells[column],
            }
        )
        rows = rows.join(dates, on=ROW, how="left", maintain_order="left")
        note = fmt(
            _("“%(column)s”列的日期“%(value)s”无法识别，请写成 2001-02-03 的形式，未导入。"),
            column=column,
            value=pl.col("__raw"),
        )
        rows = _refuse(rows, notes, pl.col("__bad").fill_null(False), note).drop("__bad", "__raw")
    if source == SourceKind.RESTORED:
        undated = pl.col("effective_date").is_null()
        note = pl.lit(_("恢复政治权利名单须填写法院（或社区矫正机构）文书载明的恢复日期，未导入。"))
        rows = _refuse(rows, notes, undated, note)
    return rows


def outcome_of(checked: Checked, shaped: Shaped, *, written: int, skipped: int) -> Outcome:
    """The voter import's Outcome, so its error workbook serves base data too."""
    frame = checked.frame
    errors = frame.filter(pl.col(ERRORS).list.len() > 0).height
    return Outcome(
        read=frame.height,
        accepted=written,
        rejected=errors - shaped.invalid_ids + shaped.refused,
        warnings=frame.filter(pl.col(WARNINGS).list.len() > 0).height,
        conflicts=0,
        already_registered=skipped,
        row_notes=shaped.notes,
    )


def process(run: ImportRun) -> None:
    from renda.roster.services.batches import BatchSpec, base_batch_load
    from renda.voters.importing import reader, report, validate
    from renda.voters.importing.importer import ask_for_columns

    spec = BatchSpec.from_options(run)
    import_run_progress(run, processed=0, stage=_("读取文件"))
    table = reader.read_table(
        privatefiles.load(run.upload), run.original_name, sheet=run.options.get("sheet") or None
    )
    if table.ambiguous:
        ask_for_columns(run, table)
    import_run_progress(run, processed=0, total=table.frame.height, stage=_("校验数据"))
    checked = validate.validate(table, context_for(spec.election))
    shaped = shape(checked, source=spec.source, region=spec.region, ctx=context_for(spec.election))
    import_run_progress(run, processed=0, stage=_("写入基础数据"))
    loaded = base_batch_load(
        actor=run.created_by,
        spec=spec,
        run=run,
        records=shaped.records,
        progress=lambda done: import_run_progress(run, processed=done),
    )
    notes = {**shaped.notes, **loaded.notes}
    outcome = outcome_of(
        checked,
        Shaped(shaped.records, notes, shaped.refused, shaped.invalid_ids),
        written=loaded.batch.accepted,
        skipped=loaded.batch.skipped,
    )
    workbook = report.error_workbook(checked, outcome)
    run.report = privatefiles.store(workbook, folder="reports") if workbook else ""
    run.accepted, run.rejected = loaded.batch.accepted, outcome.rejected
    run.summary = summary_of(loaded, outcome)
    run.message = " ".join([message_of(loaded), *checked.warnings])
    run.save(update_fields=["report", "accepted", "rejected", "summary", "message"])
    import_run_progress(run, processed=table.frame.height, stage="")


def summary_of(loaded: Loaded, outcome: Outcome) -> list[list[Any]]:
    batch = loaded.batch
    rows: list[list[Any]] = [
        [_("读取行数"), outcome.read],
        [_("入库"), batch.accepted],
        [_("其中身份证号码无效（保留供人工比对）"), batch.invalid_ids],
        [_("有误未入库"), outcome.rejected],
        [_("已在基础数据中（未重复导入）"), batch.skipped],
    ]
    if batch.source == SourceKind.HOUSEHOLD:
        rows.append([_("已按规则划入选区"), loaded.assigned])
        rows.append([_("其中已在该选区登记（自动确认）"), loaded.linked])
    else:
        rows.append([_("与选民名册比中，生成待核查事项"), batch.matched])
    return rows


def message_of(loaded: Loaded) -> str:
    batch = loaded.batch
    if batch.source == SourceKind.HOUSEHOLD:
        return _(
            "基础数据已入库 %(n)d 人，其中 %(a)d 人已按选区划分规则划入选区；"
            "未划入的请乡镇在“选区划分规则”中补充。"
        ) % {"n": batch.accepted, "a": loaded.assigned}
    return _("比对名单已入库 %(n)d 人，与选民名册比中 %(m)d 人，已生成待核查事项。") % {
        "n": batch.accepted,
        "m": batch.matched,
    }


def register_base_importer() -> None:
    registry.register(
        registry.Importer(
            kind=KIND,
            label=gettext_lazy("导入基础数据"),
            process=process,
            done_url_name="roster:overview",
        )
    )
