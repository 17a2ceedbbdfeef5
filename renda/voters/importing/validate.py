"""Stage 2 of the voter import: ``validate(table, ctx) -> Checked``.

Every rule of the register, applied to whole columns with polars expressions (the pure column
normalisers live in ``normalize.py``); no Python loop per row. The columns are normalised two
at a time (polars releases the GIL); messages are built only for the rows that need one, so a
clean million-row file costs the checks and nothing more.

What ``Checked.frame`` holds, row for row with ``table.frame`` (the original cells stay there):

- every column of the table; the canonical ones replaced by their normalised values, still text:
  ``id_number`` NFKC/no spaces/upper case; ``name`` cleaned (``names.clean_name``) and
  simplified (OpenCC t2s); ``sex`` "M"/"F"; ``birth_date`` and ``court_date`` ISO
  "2001-02-03" (or "2001-02" for a year and month); ``kind`` a ``ChangeKind`` value
  (default ``registered``); ``residence_kind`` a ``ResidenceKind`` value (default
  ``household``); ``district`` 12 digits; addresses, phone, group and note trimmed (never
  null). A value that cannot be understood becomes null and the row gets an error.
  Canonical columns the file lacks are added with those defaults;
- ``__id`` (the 18-character number when ``check_id`` finds it valid, a 15-digit one
  upgraded; null otherwise), ``__birth``, ``__sex`` (from the number), ``__ethnicity``
  (GB 3304), ``__effective`` (the court's date on 恢复政治权利 rows), ``__errors``,
  ``__warnings``, ``__flags``.

Duplicates are found by the normalised number, so a 15-digit number and its 18-digit form
are the same person; rows whose number is wrong (say, a mistyped check character) are
compared too, by the number as typed and normalised.

Errors (the row cannot be registered; each names the field and the value): an empty, numeric
(Excel), too short or long, malformed, foreign, mistyped (check character) or impossible
(birth date) ID number; a 15-digit number with sequence 996–999; a Hong Kong/Macao/Taiwan
number unless the election allows them; an empty or over-long name; a sex or birth date that
cannot be read or disagrees with the number (a year-month is compared by year and month);
under 18 on election day; an unknown ethnicity, change kind, residence kind or malformed
district code; 恢复政治权利 without the court's date; the same number on several rows (each
row names the others).

Warnings (the row is still accepted): an address code in no GB/T 2260 edition (only checked
when ``ctx.known_address_codes`` is not empty; xxxx01 counts as known when xxxx00 is); a
phone that looks like neither a mainland mobile nor a landline number; an empty 民族 cell
(registered as 汉族).

File-level warnings (``Checked.warnings``): a table without a 民族 column — every row is
registered as 汉族 (code 1) and the file gets one warning instead of a warning per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import polars as pl
from django.utils.translation import gettext as _

from renda.voters.ethnicity import ETHNICITIES
from renda.voters.idnumbers import (
    FLAG_CENTENARIAN,
    FLAG_FOREIGNER,
    FLAG_HMT,
    FLAG_LEGACY_15,
    FLAG_NUMERIC_CELL,
    FLAG_UNKNOWN_ADDRESS,
    NUMERIC_CELL_MESSAGE,
)
from renda.voters.importing import normalize as nz
from renda.voters.importing.contract import (
    BIRTH_DATE,
    BIRTH_FROM_ID,
    COURT_DATE,
    DISTRICT,
    EFFECTIVE_DATE,
    ERRORS,
    ETHNICITY,
    ETHNICITY_CODE,
    FLAGS,
    GROUP,
    HOUSEHOLD_ADDRESS,
    ID_NORMALIZED,
    ID_NUMBER,
    ID_NUMERIC,
    KIND,
    NAME,
    NOTE,
    PHONE,
    RESIDENCE_ADDRESS,
    RESIDENCE_KIND,
    ROW,
    SEX,
    SEX_FROM_ID,
    WARNINGS,
    Checked,
    Context,
    Table,
)
from renda.voters.models import ChangeKind, HmtPolicy, ResidenceKind, Sex

NAME_MAX = 64  # as the register (services.register._check_person)
DUPLICATES_NAMED = 10  # a row names at most this many other rows holding its number
IDX = "__idx"
WORKERS = 2  # columns normalised at once

ERROR, WARNING, FLAG = 0, 1, 2

KINDS: dict[str, str] = {  # what registrars write besides the labels and values
    "新满十八周岁": ChangeKind.NEWLY_18.value,
    "新满18周岁": ChangeKind.NEWLY_18.value,
    "迁入": ChangeKind.MOVED_IN.value,
    "恢复政治权利": ChangeKind.RESTORED.value,
    "登记": ChangeKind.REGISTERED.value,
}
RESIDENCE_KINDS: dict[str, str] = {
    "户籍在本选区": ResidenceKind.HOUSEHOLD.value,
    "户籍": ResidenceKind.HOUSEHOLD.value,
    "持选民资格证明": ResidenceKind.CERTIFICATE.value,
    "选民资格证明": ResidenceKind.CERTIFICATE.value,
    "持证": ResidenceKind.CERTIFICATE.value,
    "居住一年以上": ResidenceKind.RESIDENT.value,
    "居住": ResidenceKind.RESIDENT.value,
    "单位选区": ResidenceKind.WORK_UNIT.value,
    "单位": ResidenceKind.WORK_UNIT.value,
}
TEXT_COLUMNS = (HOUSEHOLD_ADDRESS, RESIDENCE_ADDRESS, GROUP, NOTE)
FLAG_NAMES = {
    "centenarian": FLAG_CENTENARIAN,
    "legacy": FLAG_LEGACY_15,
    "foreigner": FLAG_FOREIGNER,
    "hmt": FLAG_HMT,
    "unknown_address": FLAG_UNKNOWN_ADDRESS,
    "numeric_cell": FLAG_NUMERIC_CELL,
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


@dataclass(frozen=True)
class _Check:
    severity: int
    when: pl.Expr  # over the work frame: the rows this applies to
    message: pl.Expr  # evaluated only on those rows


def fmt(template: str, **values: pl.Expr | str | int) -> pl.Expr:
    """A translated ``%(name)s`` template filled per row: expressions for the row's values,
    plain values for constants (``fmt(_("姓名“%(v)s”…"), v=pl.col("name"))``)."""
    parts: list[pl.Expr] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[pos : match.start()] + ("%" if match.group(0) == "%%" else "")
        if literal:
            parts.append(pl.lit(literal))
        if match.group(1):
            value = values[match.group(1)]
            parts.append(
                value.cast(pl.String).fill_null("")
                if isinstance(value, pl.Expr)
                else pl.lit(str(value))
            )
        pos = match.end()
    if template[pos:]:
        parts.append(pl.lit(template[pos:]))
    return pl.concat_str(parts) if parts else pl.lit("")


def _iso(day: pl.Expr) -> pl.Expr:
    return day.dt.to_string("%Y-%m-%d")


def _kinds() -> dict[str, str]:
    allowed = (ChangeKind.NEWLY_18, ChangeKind.MOVED_IN, ChangeKind.RESTORED, ChangeKind.REGISTERED)
    return KINDS | {str(k.label): k.value for k in allowed} | {k.value: k.value for k in allowed}


def _residence_kinds() -> dict[str, str]:
    return (
        RESIDENCE_KINDS
        | {str(k.label): k.value for k in ResidenceKind}
        | {k.value: k.value for k in ResidenceKind}
    )


def _district_codes(values: pl.Series) -> pl.DataFrame:
    text = nz.squeezed(values).str.replace(r"\.0+$", "")  # a numeric cell: 420102001001.0
    return pl.DataFrame({"text": text}).with_columns(
        code=pl.when(pl.col("text").str.contains(r"^[0-9]{12}$")).then(pl.col("text"))
    )


def _text(values: pl.Series) -> pl.DataFrame:
    """Addresses, group, note: NFKC, trimmed, never null."""
    return nz.trimmed(values).fill_null("").to_frame()


def validate(table: Table, ctx: Context) -> Checked:
    """Normalise and check every row of ``table``; see the module docstring for the rules."""
    frame = table.frame
    n = frame.height

    def column(key: str) -> pl.Series:
        if key in frame.columns:
            return frame.get_column(key).cast(pl.String)
        return nz.blank(n)

    notes: list[str] = []
    has_ethnicity = ETHNICITY in frame.columns
    if not has_ethnicity:
        notes.append(_("表中没有“民族”列，全部按汉族登记，请核对。"))
    numeric = frame.get_column(ID_NUMERIC) if ID_NUMERIC in frame.columns else None
    kinds, residence_kinds = _kinds(), _residence_kinds()  # labels in this thread's language
    jobs: dict[str, Callable[[], pl.DataFrame]] = {
        "id_": lambda: nz.id_numbers(
            column(ID_NUMBER),
            numeric,
            today=ctx.today,
            known_address_codes=ctx.known_address_codes,
        ),
        "name_": lambda: nz.clean_names(column(NAME)).fill_null("").to_frame("text"),
        "phone_": lambda: pl.DataFrame(nz.phones(column(PHONE)), schema=["text", "ok"]),
        "sex_": lambda: nz.sexes(column(SEX)),
        "b_": lambda: nz.parse_dates(column(BIRTH_DATE)),
        "c_": lambda: nz.parse_dates(column(COURT_DATE)),
        "eth_": lambda: nz.ethnicity_codes(column(ETHNICITY)),
        "kind_": lambda: nz.keywords(column(KIND), kinds),
        "res_": lambda: nz.keywords(column(RESIDENCE_KIND), residence_kinds),
        "district_": lambda: nz.per_value(column(DISTRICT), _district_codes),
    }
    for key in TEXT_COLUMNS:
        jobs[key] = partial(_text, column(key))
    # The columns are independent and polars releases the GIL: two at a time on two cores.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {prefix: pool.submit(job) for prefix, job in jobs.items()}
        parts = {prefix: future.result() for prefix, future in futures.items()}
    parts[""] = pl.DataFrame(
        {
            ROW: frame.get_column(ROW) if ROW in frame.columns else pl.Series(range(1, n + 1)),
            "id_raw": column(ID_NUMBER),
            "birth_raw": column(BIRTH_DATE),
            "court_raw": column(COURT_DATE),
        }
    )
    work = pl.concat(
        [
            part.select(pl.all().name.prefix(prefix))
            for prefix, part in parts.items()
            if prefix not in TEXT_COLUMNS
        ],
        how="horizontal",
    ).with_row_index(IDX)
    checks = _checks(ctx, has_court=COURT_DATE in frame.columns, has_ethnicity=has_ethnicity)
    lists = _messages(work, checks)

    c = pl.col
    kind = pl.when(c("kind_text") == "").then(pl.lit(ChangeKind.REGISTERED.value))
    residence = pl.when(c("res_text") == "").then(pl.lit(ResidenceKind.HOUSEHOLD.value))
    ethnicity = pl.when(c("eth_text") == "").then(pl.lit(1, pl.Int64)).otherwise(c("eth_code"))
    normalised = work.select(
        pl.when(c("id_number") != "").then(c("id_number")).alias(ID_NUMBER),
        c("name_text").alias(NAME),
        c("sex_sex").alias(SEX),
        c("b_text").alias(BIRTH_DATE),
        c("c_text").alias(COURT_DATE),
        ethnicity.replace_strict(ETHNICITIES, default=None, return_dtype=pl.String).alias(
            ETHNICITY
        ),
        kind.otherwise(c("kind_value")).alias(KIND),
        residence.otherwise(c("res_value")).alias(RESIDENCE_KIND),
        c("district_code").alias(DISTRICT),
        c("phone_text").alias(PHONE),
        pl.when(c("id_error").is_null()).then(c("id_normalized")).alias(ID_NORMALIZED),
        c("id_birth").alias(BIRTH_FROM_ID),
        c("id_sex").alias(SEX_FROM_ID),
        ethnicity.alias(ETHNICITY_CODE),
        pl.when(c("kind_value") == ChangeKind.RESTORED).then(c("c_date")).alias(EFFECTIVE_DATE),
    )
    texts = [parts[key].to_series().alias(key) for key in TEXT_COLUMNS]
    out = frame.with_columns(*normalised.get_columns(), *texts, *lists.get_columns())
    return Checked(table=table, frame=out, warnings=tuple(notes))


def _checks(ctx: Context, *, has_court: bool, has_ethnicity: bool) -> list[_Check]:
    """Every row-level rule: when it applies (over the work frame) and what it says."""
    c = pl.col
    value = c("id_raw").str.strip_chars()
    error = c("id_error")
    valid = error.is_null()
    checkable = valid & ~c("id_centenarian")  # the birth century of 996–999 is a guess
    sex_label = {Sex.MALE.value: str(Sex.MALE.label), Sex.FEMALE.value: str(Sex.FEMALE.label)}
    born = c("id_birth")

    def id_error(kind: str, template: str, **values: pl.Expr | str) -> _Check:
        return _Check(ERROR, error == kind, fmt(template, value=value, **values))

    checks = [
        _Check(ERROR, error == nz.E_EMPTY, pl.lit(_("身份证号码为空。"))),
        id_error(
            nz.E_NUMERIC,
            _("身份证号码“%(value)s”被 Excel 存成了数字，最后几位已经丢失，无法恢复。%(hint)s。"),
            hint=_(NUMERIC_CELL_MESSAGE),
        ),
        id_error(
            nz.E_LENGTH,
            _("身份证号码“%(value)s”应为 18 位（或旧版 15 位），实际 %(n)s 位。"),
            n=c("id_number").str.len_chars(),
        ),
        id_error(nz.E_CHARSET, _("身份证号码“%(value)s”只能由数字和末位的 X 组成。")),
        id_error(
            nz.E_FOREIGNER,
            _("身份证号码“%(value)s”是外国人永久居留身份证号码，外国人不能登记为选民。"),
        ),
        id_error(
            nz.E_CHECK,
            _("身份证号码“%(value)s”校验位错误（末位应为 %(check)s），请核对是否输错。"),
            check=nz.check_text(c("id_expected")),
        ),
        id_error(
            nz.E_BIRTH,
            _("身份证号码“%(value)s”中的出生日期 %(digits)s 不是有效日期。"),
            digits=c("id_normalized").str.slice(6, 8),
        ),
        _Check(
            ERROR,
            valid & c("id_centenarian"),
            fmt(
                _(
                    "身份证号码“%(value)s”是旧版 15 位号码，顺序码为 996–999，可能属于 1900 年"
                    "以前出生的老人，无法确定出生世纪。请核对户籍后以 18 位号码登记。"
                ),
                value=value,
            ),
        ),
    ]
    if ctx.hmt_policy != HmtPolicy.ALLOW:
        checks.append(
            _Check(
                ERROR,
                c("id_hmt"),
                fmt(
                    _(
                        "身份证号码“%(value)s”是港澳台居民居住证号码。按本次选举的规定，"
                        "须由选举委员会审核，不能直接登记。"
                    )
                    if ctx.hmt_policy == HmtPolicy.REVIEW
                    else _(
                        "身份证号码“%(value)s”是港澳台居民居住证号码。按本次选举的规定，"
                        "港澳台居民居住证持有人不在本地登记。"
                    ),
                    value=value,
                ),
            )
        )
    checks += [
        _Check(
            WARNING,
            c("id_unknown_address"),
            fmt(
                _("身份证号码“%(value)s”的地址码 %(code)s 不在历次行政区划代码中，请核对。"),
                value=value,
                code=c("id_address").cast(pl.String).str.zfill(6),
            ),
        ),
        _Check(ERROR, c("name_text") == "", pl.lit(_("姓名为空。"))),
        _Check(
            ERROR,
            c("name_text").str.len_chars() > NAME_MAX,
            fmt(_("姓名“%(value)s”超过 %(max)d 字。"), value=c("name_text"), max=NAME_MAX),
        ),
        _Check(
            ERROR,
            (c("sex_text") != "") & c("sex_sex").is_null(),
            fmt(_("性别“%(value)s”无法识别，请填写“男”或“女”。"), value=c("sex_text")),
        ),
        _Check(
            ERROR,
            checkable & (c("sex_sex") != c("id_sex")),
            fmt(
                _("性别“%(given)s”与身份证号码显示的“%(id)s”不一致。"),
                given=c("sex_sex").replace_strict(sex_label, default=None),
                id=c("id_sex").replace_strict(sex_label, default=None),
            ),
        ),
        _Check(
            ERROR,
            c("b_present") & ~c("b_ok"),
            fmt(
                _("出生日期“%(value)s”无法识别，请写成 2001-02-03 的形式。"),
                value=c("birth_raw").str.strip_chars(),
            ),
        ),
        _Check(
            ERROR,
            checkable & ((born < c("b_first")) | (born > c("b_last"))),
            fmt(
                _("出生日期 %(given)s 与身份证号码显示的 %(id)s 不一致。"),
                given=c("b_text"),
                id=pl.when(c("b_date").is_null())
                .then(_iso(born).str.head(7))
                .otherwise(_iso(born)),
            ),
        ),
        _Check(
            ERROR,
            checkable & (born > nz.age_cutoff(ctx.election_day, ctx.feb29_rule)),
            fmt(
                _("至选举日（%(day)s）未满十八周岁（%(born)s 出生），不能登记为选民。"),
                day=ctx.election_day.isoformat(),
                born=_iso(born),
            ),
        ),
    ]
    if has_ethnicity:
        checks += [
            _Check(
                ERROR,
                (c("eth_text") != "") & c("eth_code").is_null(),
                fmt(
                    _("民族“%(value)s”无法识别，请填写民族名称（如“汉族”“蒙古族”）或其代码。"),
                    value=c("eth_text"),
                ),
            ),
            _Check(
                WARNING,
                c("eth_text") == "",
                pl.lit(_("民族未填写，按汉族登记，请核对。")),
            ),
        ]
    restored = (c("kind_value") == ChangeKind.RESTORED).fill_null(False)
    checks.append(
        _Check(
            ERROR,
            (c("kind_text") != "") & c("kind_value").is_null(),
            fmt(
                _("变动类型“%(value)s”无法识别，应为新满十八周岁、迁入、恢复政治权利或登记。"),
                value=c("kind_text"),
            ),
        )
    )
    if not has_court:
        checks.append(
            _Check(
                ERROR,
                restored,
                pl.lit(
                    _(
                        "变动类型为恢复政治权利，须填写法院（或社区矫正机构）文书载明的日期，"
                        "但表中没有“恢复政治权利日期”列。"
                    )
                ),
            )
        )
    else:
        checks += [
            _Check(
                ERROR,
                restored & ~c("c_present"),
                pl.lit(
                    _(
                        "变动类型为恢复政治权利，请在“恢复政治权利日期”列填写法院"
                        "（或社区矫正机构）文书载明的日期。"
                    )
                ),
            ),
            _Check(
                ERROR,
                restored & c("c_present") & c("c_date").is_null(),
                fmt(
                    _("恢复政治权利日期“%(value)s”无法识别，请写成 2001-02-03 的形式。"),
                    value=c("court_raw").str.strip_chars(),
                ),
            ),
            _Check(
                ERROR,
                restored & (c("c_date") > ctx.today),
                fmt(_("恢复政治权利日期 %(value)s 晚于今天。"), value=_iso(c("c_date"))),
            ),
        ]
    checks += [
        _Check(
            ERROR,
            (c("res_text") != "") & c("res_value").is_null(),
            fmt(
                _(
                    "登记类型“%(value)s”无法识别，应为户籍在本选区、持选民资格证明、"
                    "居住一年以上或单位选区。"
                ),
                value=c("res_text"),
            ),
        ),
        _Check(
            ERROR,
            (c("district_text") != "") & c("district_code").is_null(),
            fmt(_("选区代码“%(value)s”应为 12 位数字。"), value=c("district_text")),
        ),
        _Check(
            WARNING,
            ~c("phone_ok"),
            fmt(
                _("联系电话“%(value)s”既不像手机号码也不像固定电话号码，请核对。"),
                value=c("phone_text"),
            ),
        ),
    ]
    checks += [_Check(FLAG, c("id_" + column), pl.lit(flag)) for column, flag in FLAG_NAMES.items()]
    return checks


def _messages(work: pl.DataFrame, checks: list[_Check]) -> pl.DataFrame:
    """ERRORS, WARNINGS and FLAGS for every row of ``work``, in order. Each rule's condition
    runs over all rows; its message only over the rows it applies to."""
    c = pl.col
    marks = [f"__m{i}" for i in range(len(checks))]
    marked = work.with_columns(
        chk.when.fill_null(False).alias(mark) for chk, mark in zip(checks, marks, strict=True)
    )
    some = (marked.filter(pl.any_horizontal(marks)) if marks else marked.clear()).lazy()
    parts = [
        some.filter(c(mark)).select(
            IDX,
            severity=pl.lit(chk.severity, pl.Int8),
            order=pl.lit(order, pl.Int32),
            message=chk.message.cast(pl.String),
        )
        for order, (chk, mark) in enumerate(zip(checks, marks, strict=True))
    ]
    parts += [part.lazy() for part in _duplicates(work, order=len(checks))]
    empty = pl.lit([], pl.List(pl.String))
    index = work.select(IDX)
    found = (
        pl.concat(parts)
        .sort(IDX, "severity", "order")
        .group_by(IDX, maintain_order=True)
        .agg(
            c("message").filter(c("severity") == ERROR).alias(ERRORS),
            c("message").filter(c("severity") == WARNING).alias(WARNINGS),
            c("message").filter(c("severity") == FLAG).alias(FLAGS),
        )
        .collect()
    )
    return index.join(found, on=IDX, how="left", maintain_order="left").select(
        c(ERRORS).fill_null(empty),
        c(WARNINGS).fill_null(empty),
        c(FLAGS).fill_null(empty),
    )


def _duplicates(work: pl.DataFrame, *, order: int) -> list[pl.DataFrame]:
    """One error per row whose normalised number another row holds too, naming those rows."""
    c = pl.col
    key = work.get_column("id_key")
    repeated = key.is_duplicated() & key.is_not_null()
    if not repeated.any():
        return []
    rows = work.filter(repeated).select(IDX, ROW, key="id_key")
    groups = rows.group_by("key").agg(
        c(ROW).sort().head(DUPLICATES_NAMED + 1).alias("others"), pl.len().alias("count")
    )
    others = (
        rows.join(groups, on="key")
        .explode("others")
        .filter(c("others") != c(ROW))
        .group_by(IDX, maintain_order=True)
        .agg(c("others").head(DUPLICATES_NAMED), c("count").first())
    )
    listed = c("others").cast(pl.List(pl.String)).list.join("、")
    message = (
        pl.when(c("count") - 1 > DUPLICATES_NAMED)
        .then(fmt(_("与第 %(rows)s 等 %(n)s 行身份证号码重复。"), rows=listed, n=c("count") - 1))
        .otherwise(fmt(_("与第 %(rows)s 行身份证号码重复。"), rows=listed))
    )
    return [
        others.select(
            IDX,
            severity=pl.lit(ERROR, pl.Int8),
            order=pl.lit(order, pl.Int32),
            message=message,
        )
    ]
