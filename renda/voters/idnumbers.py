"""Resident ID numbers (公民身份号码, GB 11643-1999): normalise, check, derive.

Pure functions, no database: the importer, the forms, the API and `renda check_id` all call
``check_id``. Whether an address code ever existed is asked through ``known_address`` so the
caller decides where the list of historical codes comes from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
HMT_CODES = frozenset({"810000", "820000", "830000"})  # 港澳台居民居住证
EARLIEST_BIRTH = date(1850, 1, 1)

FLAG_LEGACY_15 = "legacy_15"  # converted from a 15-digit number
FLAG_CENTENARIAN = "centenarian_review"  # 15-digit sequence 996–999: maybe born in the 1800s
FLAG_HMT = "hmt_permit"  # Hong Kong / Macao / Taiwan residence permit
FLAG_UNKNOWN_ADDRESS = "unknown_address"  # address code not in any GB/T 2260 edition
FLAG_FOREIGNER = "foreigner"  # permanent-residence card of a foreigner (starts with 9)
FLAG_NUMERIC_CELL = "numeric_cell"  # Excel kept it as a number: digits are already lost

NUMERIC_CELL_MESSAGE = gettext_noop("请将身份证号码列设置为文本格式后重新导出")
# ASCII only: str.isdigit() also accepts Arabic-Indic and other digits that int() may reject.
_ASCII_DIGITS = re.compile(r"[0-9]+")
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$")


@dataclass(frozen=True)
class IdCheck:
    input: str
    normalized: str | None = None
    valid: bool = False
    error: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # "M" or "F"
    address_code: str | None = None
    address_known: bool | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), spaces and dashes removed, lower-case x to X."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace() and c not in "-_").upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def upgrade_15(number: str) -> str:
    """A legacy 15-digit number as 18: '19' after the address code, then the check."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def _birth(digits: str) -> date | None:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return born


def numeric_cell_error() -> str:
    return _("身份证号码被 Excel 存成了数字，最后几位已经丢失，无法恢复。%(hint)s。") % {
        "hint": _(NUMERIC_CELL_MESSAGE)
    }


def mask(number: str) -> str:
    """4201**********123X: the first four and the last four characters only."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def check_id(
    text: str,
    *,
    known_address: Callable[[str], bool] | None = None,
    today: date | None = None,
) -> IdCheck:
    """Everything the register needs to know about one typed ID number."""
    raw = text if isinstance(text, str) else str(text)
    number = normalize(raw)
    flags: list[str] = []
    if not number:
        return IdCheck(raw, error=_("身份证号码为空。"))
    if _SCIENTIFIC.match(number):
        return IdCheck(raw, flags=(FLAG_NUMERIC_CELL,), error=numeric_cell_error())
    if len(number) == 15 and _ASCII_DIGITS.fullmatch(number):
        if number[12:15] in {"996", "997", "998", "999"}:
            flags.append(FLAG_CENTENARIAN)
        number = upgrade_15(number)
        flags.append(FLAG_LEGACY_15)
    if len(number) != 18:
        return IdCheck(
            raw,
            error=_("身份证号码应为 18 位（或旧版 15 位），实际 %(n)d 位。") % {"n": len(number)},
        )
    if not _WELL_FORMED.fullmatch(number):
        return IdCheck(raw, error=_("身份证号码只能由数字和末位的 X 组成。"))
    address = number[:6]
    if number[0] == "9":
        flags.append(FLAG_FOREIGNER)
        return IdCheck(
            raw,
            normalized=number,
            address_code=address,
            flags=tuple(flags),
            error=_("这是外国人永久居留身份证号码，外国人不能登记为选民。"),
        )
    expected = check_char(number[:17])
    if number[17] != expected:
        return IdCheck(
            raw,
            normalized=number,
            address_code=address,
            flags=tuple(flags),
            error=_("身份证号码校验位错误（末位应为 %(c)s），请核对是否输错。") % {"c": expected},
        )
    born = _birth(number[6:14])
    today = today or date.today()
    if born is None or born < EARLIEST_BIRTH or born > today:
        return IdCheck(
            raw,
            normalized=number,
            address_code=address,
            flags=tuple(flags),
            error=_("身份证号码中的出生日期 %(d)s 不是有效日期。") % {"d": number[6:14]},
        )
    if address in HMT_CODES:
        flags.append(FLAG_HMT)
        known: bool | None = True
    else:
        known = known_address(address) if known_address is not None else None
        if known is False:
            flags.append(FLAG_UNKNOWN_ADDRESS)
    return IdCheck(
        raw,
        normalized=number,
        valid=True,
        birth_date=born,
        sex="M" if int(number[16]) % 2 == 1 else "F",
        address_code=address,
        address_known=known,
        flags=tuple(flags),
    )
