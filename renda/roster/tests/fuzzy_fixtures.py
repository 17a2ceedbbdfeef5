"""Planting base records for the fuzzy-candidate and exchange tests (imported by them)."""

from __future__ import annotations

import itertools
from datetime import date

from renda.accounts.models import User
from renda.core.testing import COUNTY, DISTRICT, PROVINCE, TOWNSHIP
from renda.roster.models import BaseBatch, BaseRecord, RecordStatus, SourceKind
from renda.voters import pii
from renda.voters.idnumbers import check_char, check_id, normalize
from renda.voters.names import pinyin_of

_rows = itertools.count(1)


def make_number(born: date, seq: int, *, male: bool, address: str = "420102") -> str:
    """A valid 18-character number with sequence ``seq`` (its parity fixed by ``male``)."""
    digits = (2 * seq + (1 if male else 0)) % 1000
    first17 = f"{address}{born:%Y%m%d}{digits:03d}"
    return first17 + check_char(first17)


def batch(actor: User, source: str = SourceKind.HOUSEHOLD) -> BaseBatch:
    return BaseBatch.objects.create(
        source=source, region_id=PROVINCE, name="户籍数据.xlsx", created_by=actor
    )


def plant(
    into: BaseBatch,
    name: str,
    *,
    born: date | None,
    sex: str,
    number: str | None = None,
    valid: bool | None = None,
    district: int | None = DISTRICT,
    pinyin: str | None = None,
    status: str = RecordStatus.EXPECTED,
) -> BaseRecord:
    """A record as the base-data import stores it: a valid number (``check_id``'s verdict
    unless ``valid`` overrides it) normalised, hashed and encrypted; any other text only
    encrypted, ``id_valid`` false; the name's pinyin unless ``pinyin`` says otherwise."""
    digest = cipher = None
    ok = False
    if number is not None:
        check = check_id(number)
        ok = check.valid if valid is None else valid
        text = check.normalized if ok and check.normalized else normalize(number)
        cipher = pii.seal(text).cipher
        digest = pii.id_hash(text) if ok else None
    return BaseRecord.objects.create(
        batch=into,
        source=into.source,
        row=next(_rows),
        id_hash=digest,
        id_cipher=cipher,
        id_valid=ok,
        name=name,
        name_pinyin=pinyin_of(name)[0] if pinyin is None else pinyin,
        sex=sex,
        birth_date=born,
        county_code=COUNTY,
        township_code=TOWNSHIP,
        district_id=district,
        status=status,
    )
