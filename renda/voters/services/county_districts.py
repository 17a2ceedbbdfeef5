"""County-level electoral districts (县级选区) of an election, and the township districts in them.

County and township deputies are elected together: each county-level district is a set of
township districts, or parts of them by work unit. A township district included whole belongs
to one county-level district only; its parts may be spread over several.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record, changed_fields
from renda.core.errors import ServiceError
from renda.regions.codes import Level
from renda.regions.models import District, Region
from renda.voters.models import CountyDistrict, CountyDistrictPart, Election, Levels
from renda.voters.services.common import require

MAX_SEATS = 3  # 选举法 Art 25: one to three deputies per district
NOTE_LENGTH = 100


@dataclass(frozen=True)
class Part:
    """One township district (or part of it) asked for in a county-level district."""

    district: District
    whole: bool = True
    note: str = ""


def _require_manage(actor: User, county: Region) -> None:
    require(actor, Perm.ELECTION_MANAGE, county.code, _("您无权划分该县（市、区）的县级选区。"))


def _check_county(election: Election, county: Region) -> None:
    if election.levels not in (Levels.COUNTY, Levels.BOTH):
        raise ServiceError(_("本次选举不选举县级人大代表，无需划分县级选区。"))
    lo, hi = election.region.subtree
    if county.level != Level.COUNTY or not lo <= county.code <= hi:
        raise ServiceError(
            _("“%(c)s”不是“%(e)s”范围内的县级行政区。") % {"c": county.name, "e": election.name}
        )


def _clean(name: str, seats: int) -> tuple[str, int]:
    name = name.strip()
    if not name:
        raise ServiceError(_("县级选区名称不能为空。"), field="name")
    if not 1 <= seats <= MAX_SEATS:
        raise ServiceError(_("每个选区应选代表名额为 1 至 3 名。"), field="seats")
    return name, seats


def _name_taken(name: str) -> ServiceError:
    return ServiceError(_("本县已有名为“%(n)s”的县级选区。") % {"n": name}, field="name")


def _snapshot(cd: CountyDistrict) -> dict[str, Any]:
    return {"name": cd.name, "seats": cd.seats}


def _lock(election: Election) -> None:
    """Serialise the writes of one election's mapping: the 'whole in one county district' rule
    spans rows no single constraint can see, so it is checked under this lock."""
    Election.objects.select_for_update().filter(pk=election.pk).first()


def county_district_create(
    *, actor: User, election: Election, county: Region, name: str, seats: int = 1
) -> CountyDistrict:
    _require_manage(actor, county)
    _check_county(election, county)
    name, seats = _clean(name, seats)
    try:
        with transaction.atomic():
            cd = CountyDistrict.objects.create(
                election=election, county=county, name=name, seats=seats
            )
            audit_record(
                actor=actor,
                action="county_district.create",
                target=cd,
                region_code=county.code,
                summary={"election": election.pk, **_snapshot(cd)},
            )
    except IntegrityError:
        raise _name_taken(name) from None
    return cd


def county_district_update(
    *, actor: User, county_district: CountyDistrict, name: str, seats: int
) -> CountyDistrict:
    cd = county_district
    _require_manage(actor, cd.county)
    _check_county(cd.election, cd.county)
    name, seats = _clean(name, seats)
    before = _snapshot(cd)
    try:
        with transaction.atomic():
            cd.name, cd.seats = name, seats
            cd.save(update_fields=["name", "seats"])
            audit_record(
                actor=actor,
                action="county_district.update",
                target=cd,
                region_code=cd.county_id,
                summary=changed_fields(before, _snapshot(cd)),
            )
    except IntegrityError:
        cd.name, cd.seats = before["name"], before["seats"]
        raise _name_taken(name) from None
    return cd


def _parts_summary(cd: CountyDistrict) -> list[dict[str, Any]]:
    return [
        {"district": p.district_id, "whole": p.whole, "note": p.note}
        for p in cd.countydistrictpart_set.order_by("district_id")
    ]


def county_district_delete(*, actor: User, county_district: CountyDistrict) -> None:
    cd = county_district
    _require_manage(actor, cd.county)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="county_district.delete",
            target=cd,
            region_code=cd.county_id,
            summary={"election": cd.election_id, **_snapshot(cd), "parts": _parts_summary(cd)},
        )
        cd.delete()


def _district_label(district: District) -> str:
    return f"{district.township.name}{district.name}"


def _check_parts(cd: CountyDistrict, parts: list[Part]) -> list[Part]:
    lo, hi = cd.county.subtree
    seen: set[int] = set()
    cleaned = []
    for part in parts:
        label = _district_label(part.district)
        if not lo <= part.district.code <= hi:
            raise ServiceError(_("选区“%(d)s”不属于%(c)s。") % {"d": label, "c": cd.county.name})
        if part.district.code in seen:
            raise ServiceError(_("选区“%(d)s”重复列出。") % {"d": label})
        seen.add(part.district.code)
        note = part.note.strip()
        if not part.whole and not note:
            raise ServiceError(
                _("选区“%(d)s”部分划入，请写明划入的单位。") % {"d": label},
                field=f"note_{part.district.code}",
            )
        if len(note) > NOTE_LENGTH:
            raise ServiceError(
                _("选区“%(d)s”的划入部分说明不能超过 %(n)d 字。") % {"d": label, "n": NOTE_LENGTH},
                field=f"note_{part.district.code}",
            )
        cleaned.append(Part(part.district, part.whole, note if not part.whole else ""))
    return cleaned


def _check_whole_once(cd: CountyDistrict, parts: list[Part]) -> None:
    """A district included whole may not appear in any other county-level district."""
    wanted = {p.district.code: p for p in parts}
    elsewhere = (
        CountyDistrictPart.objects.filter(
            county_district__election_id=cd.election_id, district_id__in=wanted
        )
        .exclude(county_district=cd)
        .select_related("county_district")
        .order_by("district_id", "county_district__name")
    )
    for other in elsewhere:
        part = wanted[other.district_id]
        label, there = _district_label(part.district), other.county_district.name
        if other.whole:
            raise ServiceError(
                _("选区“%(d)s”已整体划入县级选区“%(o)s”，不能再划入其他县级选区。")
                % {"d": label, "o": there}
            )
        if part.whole:
            raise ServiceError(
                _("选区“%(d)s”已有部分单位划入县级选区“%(o)s”，不能再整体划入；请改为部分划入。")
                % {"d": label, "o": there}
            )


def county_district_set_parts(
    *, actor: User, county_district: CountyDistrict, parts: list[tuple[District, bool, str]]
) -> list[CountyDistrictPart]:
    """Replace the township districts of ``county_district`` with ``parts``
    (district, included whole, which part when not whole)."""
    cd = county_district
    _require_manage(actor, cd.county)
    _check_county(cd.election, cd.county)
    cleaned = _check_parts(cd, [Part(d, whole, note) for d, whole, note in parts])
    with transaction.atomic():
        _lock(cd.election)
        _check_whole_once(cd, cleaned)
        before = _parts_summary(cd)
        cd.countydistrictpart_set.all().delete()
        created = CountyDistrictPart.objects.bulk_create(
            CountyDistrictPart(county_district=cd, district=p.district, whole=p.whole, note=p.note)
            for p in cleaned
        )
        audit_record(
            actor=actor,
            action="county_district.set_parts",
            target=cd,
            region_code=cd.county_id,
            summary={"before": before, "after": _parts_summary(cd)},
        )
    return created
