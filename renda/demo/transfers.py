"""Demo transfers and self-service: something on the transfer pages for the visitor.

Through the same doors as real work (services/transfers.py, selfservice.py, voter_register):
two requests waiting for 大智街道第一选区 (the demo registrar ``dengji``) to answer — one from
another 江岸区 district, one from 宜昌市西陵区 — one request of ``dengji``'s own waiting on
another district, a self-service request in its review queue, and a registration conflict.
Idempotent: each part looks for what it made before (the evidence carries DEMO_MARK) and adds
nothing the second time. Skipped quietly when registration is closed or there are no voters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.demo.builder import DAZHI
from renda.regions.models import District
from renda.voters import pii
from renda.voters.idnumbers import check_char
from renda.voters.models import (
    ACTIVE,
    Election,
    EvidenceKind,
    RegistrationConflict,
    SelfServiceRequest,
    Source,
    Status,
    Transfer,
    TransferStatus,
    Voter,
)
from renda.voters.services import selfservice, transfers
from renda.voters.services.register import Person, voter_register

DEMO_MARK = "（演示）"
HOME = DAZHI + 1  # 大智街道第一选区, the demo registrar's district
XILING = 420502000000


@dataclass(frozen=True)
class TransferLoad:
    transfers: int
    requests: int
    conflicts: int


def build_demo_transfers(election: Election) -> TransferLoad:
    made = TransferLoad(0, 0, 0)
    if not Voter.objects.filter(source=Source.DEMO, district_id=HOME).exists():
        return made
    try:
        return TransferLoad(
            transfers=_transfers(election),
            requests=_self_service(election),
            conflicts=_conflict(election),
        )
    except ServiceError:  # registration closed: the demo is older than its window
        return made


def _transfers(election: Election) -> int:
    if Transfer.objects.filter(evidence__endswith=DEMO_MARK).exists():
        return 0
    dengji = User.objects.get(username="dengji")
    home = District.objects.select_related("township").get(code=HOME)
    neighbour = _first_district(420102000000, exclude_township=DAZHI)
    xiling = _first_district(XILING)
    sister = District.objects.filter(code=HOME + 1).first()  # 大智街道第二选区
    made = 0
    ours = list(_movable(HOME)[:2])
    asks = [
        (neighbour, "jiangan", "居住证 420102-2025-0117"),
        (xiling, "xiling", "房屋租赁合同（西陵区云集路）"),
    ]
    for voter, (place, asker, evidence) in zip(ours, asks, strict=False):
        if place is None:
            continue
        transfers.transfer_request(
            actor=User.objects.get(username=asker),
            election=election,
            voter=voter,
            to_district=place,
            evidence_kind=EvidenceKind.RESIDENCE,
            evidence=evidence + DEMO_MARK,
        )
        made += 1
    theirs = _movable(sister.code).first() if sister else None
    if theirs is not None:
        transfers.transfer_request(
            actor=dengji,
            election=election,
            voter=theirs,
            to_district=home,
            evidence_kind=EvidenceKind.RESIDENCE,
            evidence="居住证 420102-2024-0320" + DEMO_MARK,
        )
        made += 1
    return made


def _self_service(election: Election) -> int:
    if SelfServiceRequest.objects.filter(evidence__endswith=DEMO_MARK).exists():
        return 0
    selfservice.selfservice_submit(
        election=election,
        district=District.objects.get(code=HOME),
        application=selfservice.Application(
            id_number=_unregistered_id(),
            name="覃晓燕",
            phone="13972000000",
            residence_address="湖北省武汉市江岸区大智路 18 号 3 单元",
            household_address="湖北省宜昌市秭归县茅坪镇",
            evidence="居住证 420102-2023-0586，在本地居住满一年" + DEMO_MARK,
        ),
        upload=None,
    )
    return 1


def _conflict(election: Election) -> int:
    """dengji tries to register someone already registered in 江汉区: refused, and kept."""
    if RegistrationConflict.objects.filter(district_id=HOME).exists():
        return 0
    other = _movable(420103000000).first()
    if other is None:
        return 0
    try:
        voter_register(
            actor=User.objects.get(username="dengji"),
            election=election,
            district=District.objects.get(code=HOME),
            person=Person(id_number=pii.reveal(other.id_cipher), name=other.name),
        )
    except ServiceError:
        return RegistrationConflict.objects.filter(district_id=HOME).count()
    return 0


def _movable(code: int) -> QuerySet[Voter]:
    """Demo voters of a district (or a region's first digits) free to be asked for."""
    lo, hi = (code, code) if code % 1000 else (code, code + 10**6 - 1)
    busy = Transfer.objects.filter(status=TransferStatus.REQUESTED).values("voter_id")
    return (
        Voter.objects.filter(
            source=Source.DEMO,
            status=Status.REGISTERED,
            district_id__gte=lo,
            district_id__lte=hi,
        )
        .exclude(pk__in=busy)
        .order_by("id")
    )


def _first_district(county: int, exclude_township: int | None = None) -> District | None:
    qs = District.objects.select_related("township").filter(
        code__gte=county, code__lte=county + 10**6 - 1
    )
    if exclude_township is not None:
        qs = qs.exclude(township_id=exclude_township)
    return qs.order_by("code").first()


def _unregistered_id() -> str:
    """A valid number (秭归县, 1993) that nobody holds in the register."""
    for seq in range(1, 500):
        first17 = f"420527{date(1993, 4, 12):%Y%m%d}{2 * seq:03d}"
        number = first17 + check_char(first17)
        if not Voter.objects.filter(id_hash=pii.id_hash(number), status__in=ACTIVE).exists():
            return number
    raise ServiceError("no free demo ID number")
