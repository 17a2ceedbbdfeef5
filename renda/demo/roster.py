"""The demo base data: a household roster for every demo district and a small deceased list.

Built from the same deterministic people as the demo register (renda.demo.people): the roster
holds every demo voter registered by household (a few hundred per district with the default
100,000 voters) plus the next people of the sequence, who are not registered yet (漏登 until a district confirms them; a larger ``--voters`` registers them
too). Loaded through the roster's own services, one batch per county, after the townships'
village rules (one village per district) are in place, so the people already registered
where the roster puts them are confirmed at once. Planted for the cross-check: names that
disagree with the register (错登), people on one district's roster registered in a
neighbouring district, records no rule reaches, records without a usable ID number, a few
exceptions in 江岸区, and a deceased list naming some registered voters (review items).
Idempotent: a county whose demo batch exists is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from renda.accounts.models import User
from renda.demo.builder import COUNTIES, DAZHI, PROVINCE
from renda.demo.people import COMMUNITIES, VILLAGES, Place, make_people
from renda.demo.voters import demo_places
from renda.regions.codes import SPAN, Level
from renda.regions.models import District, DistrictKind, Region
from renda.roster.models import (
    BaseBatch,
    BaseRecord,
    DistrictMapping,
    ExceptionReason,
    RecordStatus,
    SourceKind,
)
from renda.roster.services.batches import BatchSpec, base_batch_load
from renda.roster.services.crosscheck import crosscheck_run
from renda.roster.services.records import base_records_mark_exception
from renda.voters.bulk import BulkRow
from renda.voters.importing.contract import ROW
from renda.voters.models import Election, ResidenceKind, Source, Voter

EXTRA_SHARE = 20  # one unregistered person on the roster per this many registered,
EXTRA_PER_DISTRICT = 20  # and at least this many per district
JIANGAN = 420102
ROSTER_NAME = "演示基础数据（%s）"
DECEASED_NAME = "演示民政死亡名单"


@dataclass(frozen=True)
class RosterLoad:
    records: int
    confirmed: int
    deceased_items: int
    wrong_items: int


def build_demo_roster(
    election: Election, extra_per_district: int = EXTRA_PER_DISTRICT
) -> RosterLoad:
    everywhere = demo_places()  # the register's people are drawn over all of them
    places = everywhere  # work-unit districts too: the demo's roster is everyone expected
    registered = Voter.objects.filter(source=Source.DEMO).count()
    total = registered + max(registered // EXTRA_SHARE, len(places) * extra_per_district)
    people = make_people(everywhere, total, election.election_day)
    villages = _village_rules(places)
    province = User.objects.get(username="hubei")
    records = confirmed = 0
    for county in COUNTIES:
        region = Region.objects.get(code=county * SPAN[Level.COUNTY])
        if BaseBatch.objects.filter(name=ROSTER_NAME % region.name).exists():
            continue
        frame = _roster_frame(people, registered, villages, county)
        loaded = base_batch_load(
            actor=province,
            spec=BatchSpec(SourceKind.HOUSEHOLD, region, election, "演示"),
            run=None,
            records=frame,
            name=ROSTER_NAME % region.name,
        )
        records += loaded.batch.accepted
        confirmed += loaded.linked
    _exceptions_in_jiangan(registered)
    deceased = _deceased_list(people, registered, province)
    check = crosscheck_run(actor=None, region=Region.objects.get(code=PROVINCE), election=election)
    return RosterLoad(records, confirmed, deceased, check.wrong_items)


def _village_rules(places: list[Place]) -> dict[int, str]:
    """One village (or community) name per residential district, unique in its township, and
    the rule mapping it there."""
    names: dict[int, str] = {}
    taken: set[tuple[int, str]] = set()
    for place in places:
        township = place.district_code // 1000 * 1000
        words = COMMUNITIES if place.urban else VILLAGES
        suffix = "社区" if place.urban else "村"
        k = 0
        name = f"{words[(place.district_code * 7) % len(words)]}{suffix}"
        while (township, name) in taken:
            k += 1
            name = f"{words[(place.district_code * 7 + k * 5) % len(words)]}{suffix}"
        taken.add((township, name))
        names[place.district_code] = name
    author = User.objects.get(username="hubei")
    DistrictMapping.objects.bulk_create(
        [
            DistrictMapping(
                township_id=code // 1000 * 1000,
                value=name,
                district_id=code,
                updated_by=author,
            )
            for code, name in names.items()
        ],
        ignore_conflicts=True,
    )
    return names


def _roster_frame(
    people: list[BulkRow], registered: int, villages: dict[int, str], county: int
) -> pl.DataFrame:
    lo = county * SPAN[Level.COUNTY]
    hi = lo + SPAN[Level.COUNTY] - 1
    rows = []
    for i, person in enumerate(people):
        code = person.district_code
        if not lo <= code <= hi or code not in villages:
            continue
        rows.append(_record(i, person, registered, villages))
    return pl.DataFrame(
        rows,
        schema={
            ROW: pl.Int64,
            "__valid": pl.Boolean,
            "__id_text": pl.String,
            "name": pl.String,
            "sex": pl.String,
            "birth_date": pl.Date,
            "ethnicity": pl.Int64,
            "household_address": pl.String,
            "village": pl.String,
            "document": pl.String,
            "source": pl.String,
            "township_code": pl.Int64,
            "county_code": pl.Int64,
            "effective_date": pl.Date,
            "until_date": pl.Date,
        },
        orient="row",
    )


def _record(
    i: int, person: BulkRow, registered: int, villages: dict[int, str]
) -> tuple[object, ...]:
    """One roster row; every few hundredth one carries a planted fault."""
    code = person.district_code
    name, village, number, valid = person.name, villages[code], person.id_number, True
    in_dazhi_1 = code == DAZHI + 1
    if i < registered:
        if i % 400 == 7 or (in_dazhi_1 and i % 40 == 3):
            name = _misspelt(name)  # 错登
        elif i % 500 == 11:
            village = villages.get(code + 1) or villages.get(code - 1) or village  # elsewhere
    elif i % 300 == 17:
        number, valid = number[:17] + ("0" if number[17] != "0" else "1"), False  # mistyped
    elif i % 250 == 9:
        village = "新建小区"  # no rule reaches it
    township = code // 1000 * 1000
    return (
        i + 2,
        valid,
        number,
        name,
        person.sex,
        person.birth_date,
        person.ethnicity,
        person.household_address,
        village,
        "",
        SourceKind.HOUSEHOLD.value,
        township,
        code // SPAN[Level.COUNTY] * SPAN[Level.COUNTY],
        None,
        None,
    )


def _misspelt(name: str) -> str:
    last = name[-1]
    return name[:-1] + ("华" if last != "华" else "明")


def _exceptions_in_jiangan(registered: int) -> None:
    """A few unregistered people of each 江岸区 district explained as living elsewhere (people
    past the register's ``registered``, so no planted fault is explained away)."""
    lo = JIANGAN * SPAN[Level.COUNTY]
    clerk = User.objects.get(username="jiangan")
    districts = District.objects.filter(
        code__gte=lo, code__lte=lo + SPAN[Level.COUNTY] - 1, kind=DistrictKind.RESIDENTIAL
    )
    for district in districts.exclude(code=DAZHI + 1):
        if BaseRecord.objects.filter(district=district, status=RecordStatus.EXCEPTION).exists():
            continue
        ids = list(
            BaseRecord.objects.filter(
                district=district, status=RecordStatus.EXPECTED, row__gt=registered + 1
            )
            .order_by("id")
            .values_list("id", flat=True)[:3]
        )
        if ids:
            base_records_mark_exception(
                actor=clerk,
                district=district,
                record_ids=ids[:2],
                reason=ExceptionReason.LIVES_ELSEWHERE,
                note="在外务工（演示）",
            )


def _deceased_list(people: list[BulkRow], registered: int, actor: User) -> int:
    """Civil affairs' list of recent deaths: some registered demo voters."""
    if BaseBatch.objects.filter(name=DECEASED_NAME).exists():
        return 0
    chosen = [
        (i, p)
        for i, p in enumerate(people[:registered])
        if (i % 600 == 3 or (p.district_code == DAZHI + 1 and i % 90 == 5))
        and p.residence_kind == ResidenceKind.HOUSEHOLD
    ]
    if not chosen:
        return 0
    region = Region.objects.get(code=PROVINCE)
    election = Election.objects.filter(region=region).order_by("-election_day").first()
    day = (election.registration_opens if election else None) or people[0].birth_date
    frame = pl.DataFrame(
        [
            (
                n + 2,
                True,
                p.id_number,
                p.name,
                p.sex,
                p.birth_date,
                p.ethnicity,
                "",
                "",
                f"死亡证明 {n + 1:04d}",
                SourceKind.DECEASED.value,
                None,
                PROVINCE,
                day - timedelta(days=n % 20),
                None,
            )
            for n, (_i, p) in enumerate(chosen)
        ],
        schema=_roster_frame([], 0, {}, COUNTIES[0]).schema,
        orient="row",
    )
    loaded = base_batch_load(
        actor=actor,
        spec=BatchSpec(SourceKind.DECEASED, region, None, "鄂民函〔演示〕1号"),
        run=None,
        records=frame,
        name=DECEASED_NAME,
    )
    return loaded.batch.matched
