"""The demo register: an election for 湖北省 and N synthetic voters in the demo districts.

Loads through the same doors as real data: ``election_create``, the bulk registration path,
``certificate_issue`` and ``list_publish_first`` (as the demo committee member). Idempotent:
the people are numbered and generated in a fixed order, so a run finds how many demo voters
exist and adds only the rest; the bulk path would refuse a repeated ID number anyway.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.demo.builder import COUNTIES, DAZHI, PROVINCE
from renda.demo.people import Place, make_people
from renda.regions.models import District, DistrictKind, Region
from renda.voters.bulk import voters_register_bulk
from renda.voters.models import (
    Certificate,
    Election,
    ResidenceKind,
    Source,
    Status,
    Voter,
    VoterList,
)
from renda.voters.services.certificates import certificate_issue
from renda.voters.services.elections import election_create
from renda.voters.services.publication import list_publish_first

ELECTION_CODE = "hubei-demo"
ELECTION_NAME = "湖北省县乡两级人大换届选举（演示）"
DAYS_TO_ELECTION = 60
DAYS_SINCE_OPENING = 14
JIANGAN = 420102
PUBLISHED_DISTRICTS = 4  # first lists posted in this many 江岸区 districts
CERTIFICATE_SHARE = 0.002  # of the voters, certificates issued in 江岸区 and 西陵区
CERTIFICATE_ISSUERS = {420102: "jiangan", 420502: "xiling"}  # county → demo county staff


@dataclass(frozen=True)
class VoterLoad:
    election: Election
    added: int
    present: int  # demo voters there before this run
    conflicts: int
    lists: int
    certificates: int
    seconds: float


def build_demo_voters(n: int) -> VoterLoad:
    """Make the demo election and bring the demo register up to ``n`` voters."""
    started = time.perf_counter()
    election = demo_election()
    present = Voter.objects.filter(source=Source.DEMO).count()
    added = conflicts = 0
    if present < n:
        people = make_people(demo_places(), n, election.election_day)[present:]
        result = voters_register_bulk(
            actor=None, election=election, rows=people, source=Source.DEMO, evidence="renda demo"
        )
        added, conflicts = result.created, len(result.conflicts)
    lists = publish_first_lists(election)
    certificates = issue_certificates(election, round(n * CERTIFICATE_SHARE))
    return VoterLoad(
        election, added, present, conflicts, lists, certificates, time.perf_counter() - started
    )


def demo_election() -> Election:
    """The election of 湖北省, about 60 days after the day the demo is first loaded."""
    existing = Election.objects.filter(code=ELECTION_CODE).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    return election_create(
        actor=User.objects.get(username="hubei"),
        region=Region.objects.get(code=PROVINCE),
        code=ELECTION_CODE,
        name=ELECTION_NAME,
        election_day=today + timedelta(days=DAYS_TO_ELECTION),
        registration_opens=today - timedelta(days=DAYS_SINCE_OPENING),
    )


def demo_places() -> list[Place]:
    """The demo districts in code order, with the names their people's addresses need."""
    counties = {c * 10**6 for c in COUNTIES}
    names = {
        r.code: r.name
        for r in Region.objects.filter(code__in=counties | {c // 10**8 * 10**8 for c in counties})
    }
    places = []
    for lo in sorted(counties):
        city = lo // 10**8 * 10**8
        for district in (
            District.objects.filter(code__range=(lo, lo + 10**6 - 1))
            .select_related("township")
            .order_by("code")
        ):
            places.append(
                Place(
                    district_code=district.code,
                    district_name=district.name,
                    township=district.township.name,
                    county=f"{lo // 10**6}",
                    prefix=f"湖北省{names[city]}{names[lo]}",
                    weight=district.population,
                    work_unit=district.kind == DistrictKind.WORK_UNIT,
                )
            )
    return places


def published_districts() -> list[District]:
    """The districts whose first list the demo posts: the first of 江岸区, leaving the demo
    registrar's own district (大智街道第一选区) for the visitor to publish."""
    lo = JIANGAN * 10**6
    return list(
        District.objects.filter(code__range=(lo, lo + 10**6 - 1))
        .exclude(code=DAZHI + 1)
        .order_by("code")[:PUBLISHED_DISTRICTS]
    )


def publish_first_lists(election: Election) -> int:
    committee = User.objects.get(username="xuanwei")
    posted = 0
    for district in published_districts():
        if VoterList.objects.filter(election=election, district=district, number=0).exists():
            continue
        try:
            list_publish_first(actor=committee, election=election, district=district)
        except ServiceError:  # no voters there yet (a small --voters)
            continue
        posted += 1
    return posted


def issue_certificates(election: Election, target: int) -> int:
    """Certificates for people registered at home who will vote where they live now."""
    have = Certificate.objects.filter(election=election, voter__source=Source.DEMO).count()
    need = target - have
    if need <= 0:
        return 0
    excluded = [d.code for d in published_districts()]
    issued = 0
    for county, username in CERTIFICATE_ISSUERS.items():
        share = need // len(CERTIFICATE_ISSUERS) + (1 if county == JIANGAN else 0) * (
            need % len(CERTIFICATE_ISSUERS)
        )
        lo = county * 10**6
        ids = list(
            Voter.objects.filter(
                source=Source.DEMO,
                status=Status.REGISTERED,
                residence_kind=ResidenceKind.HOUSEHOLD,
                district__gte=lo,
                district__lte=lo + 10**6 - 1,
            )
            .exclude(district_id__in=excluded)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not ids or share <= 0:
            continue
        step = max(1, len(ids) // share)
        chosen = ids[step // 2 :: step][:share]
        actor = User.objects.get(username=username)
        for voter in Voter.objects.select_related("district").filter(pk__in=chosen).order_by("id"):
            certificate_issue(actor=actor, election=election, voter=voter)
            issued += 1
    return issued
