"""选民资格证明 used in another district: it closes the origin; expired, used, revoked or foreign
certificates are refused. Across townships, counties, cities, and county-by-county elections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.core.testing import (
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    OTHER_COUNTY,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    Cast,
)
from renda.regions.codes import Level
from renda.regions.models import District, Region
from renda.voters import pii, tally
from renda.voters.models import (
    Certificate,
    CertificateStatus,
    ChangeKind,
    Election,
    RemovalReason,
    ResidenceKind,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.services.certificates import certificate_issue, certificate_revoke
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.conftest import make_id
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of

XILING_TOWNSHIP = OTHER_COUNTY + 1000  # a township of 西陵区 (宜昌市), made by the test
XILING_DISTRICT = XILING_TOWNSHIP + 1


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


@pytest.fixture
def holder(election: Election, b: User) -> tuple[Voter, Certificate]:
    voter = register_in(election, DISTRICT_2, b, "李四")
    return voter, certificate_issue(actor=b, election=election, voter=voter)


def use(actor: User, election: Election, code: int, voter: Voter, number: str) -> Voter:
    return voter_register(
        actor=actor,
        election=election,
        district=district(code),
        person=Person(id_number=pii.reveal(voter.id_cipher), name=voter.name),
        certificate_number=number,
    )


def xiling() -> District:
    Region.objects.create(
        code=XILING_TOWNSHIP, name="云集街道", level=Level.TOWNSHIP, parent_id=OTHER_COUNTY
    )
    return District.objects.create(
        code=XILING_DISTRICT, township_id=XILING_TOWNSHIP, name="第一选区"
    )


@pytest.mark.parametrize(
    "code",
    [DISTRICT, DISTRICT_3, SIBLING_DISTRICT, XILING_DISTRICT],
    ids=["same-township", "same-county", "other-county", "other-city"],
)
def test_registering_with_a_certificate_closes_the_origin(
    cast: Cast, election: Election, holder: tuple[Voter, Certificate], code: int
) -> None:
    if code == XILING_DISTRICT:
        xiling()
    origin, certificate = holder
    there = registrar_of(code, "reg_there")
    new = use(there, election, code, origin, certificate.number)

    origin.refresh_from_db()
    certificate.refresh_from_db()
    assert (new.district_id, new.status, new.residence_kind) == (
        code,
        Status.REGISTERED,
        ResidenceKind.CERTIFICATE,
    )
    assert (origin.status, origin.removal_reason) == (Status.REMOVED, RemovalReason.MOVED_OUT)
    assert (certificate.status, certificate.used_district_id) == (CertificateStatus.USED, code)
    closing = VoterChange.objects.get(voter=origin, kind=ChangeKind.CERTIFICATE_USED)
    assert closing.district_code == DISTRICT_2 and closing.evidence == certificate.number
    assert Voter.objects.filter(id_hash=origin.id_hash, status=Status.REGISTERED).count() == 1
    assert tally.verify() == []


def test_a_used_certificate_is_refused(
    cast: Cast, election: Election, holder: tuple[Voter, Certificate]
) -> None:
    origin, certificate = holder
    use(cast.registrar, election, DISTRICT, origin, certificate.number)
    third = registrar_of(DISTRICT_3, "reg_c")
    with pytest.raises(ServiceError, match=r"已于 .* 使用过，不能重复使用") as refused:
        use(third, election, DISTRICT_3, origin, certificate.number)
    assert refused.value.field == "certificate_number"


def test_an_expired_certificate_is_refused(
    cast: Cast, election: Election, holder: tuple[Voter, Certificate]
) -> None:
    origin, certificate = holder
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ServiceError, match="已过期"):
        use(cast.registrar, election, DISTRICT, origin, certificate.number)
    origin.refresh_from_db()
    assert origin.status == Status.CERTIFIED_OUT  # nothing closed


def test_a_revoked_certificate_is_refused(
    cast: Cast, election: Election, b: User, holder: tuple[Voter, Certificate]
) -> None:
    origin, certificate = holder
    certificate_revoke(actor=b, certificate=certificate, reason="本人不再外出")
    with pytest.raises(ServiceError, match="已作废"):
        use(cast.registrar, election, DISTRICT, origin, certificate.number)


def test_someone_elses_certificate_or_the_issuing_district_is_refused(
    cast: Cast, election: Election, b: User, holder: tuple[Voter, Certificate]
) -> None:
    origin, certificate = holder
    stranger = Voter(id_cipher=pii.seal(make_id()).cipher, name="王五")
    with pytest.raises(ServiceError, match="不是此人的证明"):
        use(cast.registrar, election, DISTRICT, stranger, certificate.number)
    with pytest.raises(ServiceError, match="原选区"):
        use(b, election, DISTRICT_2, origin, certificate.number)


def test_county_by_county_elections_of_one_round_accept_each_others_certificates(
    cast: Cast,
) -> None:
    """Where each county runs its own election on the same day, a migrant from 江岸区 registers
    in 江汉区 with 江岸区's certificate; a certificate of a round held another day does not."""
    today = timezone.localdate()
    dates = {
        "election_day": today + timedelta(days=60),
        "registration_opens": today - timedelta(days=10),
        "registration_closes": today + timedelta(days=59),
        "publication_deadline": today + timedelta(days=40),
    }
    jiangan = Election.objects.create(code="ja", name="江岸区换届选举", region_id=COUNTY, **dates)
    jianghan = Election.objects.create(
        code="jh", name="江汉区换届选举", region_id=SIBLING_COUNTY, **dates
    )
    origin = register_in(jiangan, DISTRICT, cast.registrar, "李四")
    certificate = certificate_issue(actor=cast.registrar, election=jiangan, voter=origin)
    there = registrar_of(SIBLING_DISTRICT, "reg_jh")
    new = use(there, jianghan, SIBLING_DISTRICT, origin, certificate.number)
    assert new.district_id == SIBLING_DISTRICT

    second = register_in(jiangan, DISTRICT, cast.registrar, "王五")
    other_day = {**dates, "election_day": today + timedelta(days=61)}
    later = Election.objects.create(
        code="jh2", name="江汉区补选", region_id=SIBLING_COUNTY, **other_day
    )
    certificate = certificate_issue(actor=cast.registrar, election=jiangan, voter=second)
    with pytest.raises(ServiceError, match="是为“江岸区换届选举”开具的"):
        use(there, later, SIBLING_DISTRICT, second, certificate.number)
