"""The register's rules through its services: each refusal is Chinese and changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.regions.models import District
from renda.voters.idnumbers import check_char
from renda.voters.models import (
    ChangeKind,
    Election,
    HmtPolicy,
    RemovalReason,
    Status,
    Voter,
    VoterChange,
)
from renda.voters.services import certificates, register
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


def _refused(fragment: str, call: object) -> ServiceError:
    before = (Voter.objects.count(), VoterChange.objects.count())
    with pytest.raises(ServiceError) as caught:
        call()  # type: ignore[operator]
    assert fragment in caught.value.message
    assert (Voter.objects.count(), VoterChange.objects.count()) == before
    return caught.value


def test_register_writes_voter_change_and_audit(cast: Cast, register_voter: RegisterVoter) -> None:
    voter = register_voter("王小明", id_number=make_id(born=date(1985, 3, 2)))
    assert voter.status == Status.REGISTERED
    assert (voter.name_pinyin, voter.name_initials) == ("wangxiaoming", "wxm")
    assert voter.birth_date == date(1985, 3, 2) and voter.sex == "M"
    change = voter.changes.get()
    assert change.kind == ChangeKind.REGISTERED and change.actor == cast.registrar
    assert AuditEvent.objects.filter(action="voter.registered", region_code=DISTRICT).exists()


def test_eighteen_on_election_day(register_voter: RegisterVoter, election: Election) -> None:
    day = election.election_day
    register_voter("满十八", id_number=make_id(born=day.replace(year=day.year - 18)))
    younger = day.replace(year=day.year - 18) + timedelta(days=1)
    _refused("未满十八周岁", lambda: register_voter("差一天", id_number=make_id(born=younger)))


def test_invalid_foreign_and_hmt_numbers(register_voter: RegisterVoter, election: Election) -> None:
    good = make_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    _refused("校验位", lambda: register_voter("错号", id_number=bad))
    first17 = "91042219800101001"
    _refused("外国人", lambda: register_voter("外籍", id_number=first17 + check_char(first17)))
    first17 = "81000019800101001"
    hk = first17 + check_char(first17)
    _refused("港澳台", lambda: register_voter("港人", id_number=hk))
    election.hmt_policy = HmtPolicy.ALLOW
    election.save()
    assert register_voter("港人", id_number=hk).status == Status.REGISTERED


def test_sex_and_birth_date_must_agree_with_the_id(register_voter: RegisterVoter) -> None:
    number = make_id(born=date(1970, 1, 2), male=True)
    _refused("不一致", lambda: register_voter("李四", id_number=number, sex="F"))
    _refused(
        "不一致", lambda: register_voter("李四", id_number=number, birth_date=date(1970, 1, 3))
    )


def test_one_active_registration_in_the_province(cast: Cast, register_voter: RegisterVoter) -> None:
    number = make_id()
    register_voter("赵六", id_number=number)
    error = _refused(
        "已在",
        lambda: register_voter(
            "赵六", id_number=number, district=DISTRICT_3, actor=cast.county_staff
        ),
    )
    assert "大智街道第一选区" in error.message
    _refused("本选区", lambda: register_voter("赵六", id_number=number))


def test_a_registrar_cannot_register_in_another_district(
    cast: Cast, register_voter: RegisterVoter
) -> None:
    _refused("无权", lambda: register_voter("钱七", district=DISTRICT_2))
    _refused(
        "无权", lambda: register_voter("钱七", district=SIBLING_DISTRICT, actor=cast.county_staff)
    )


def test_remove_and_restore_with_the_court_date(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    voter = register_voter("孙八")
    _refused(
        "依据",
        lambda: register.voter_remove(
            actor=cast.registrar, voter=voter, election=election, reason=RemovalReason.DEPRIVED
        ),
    )
    register.voter_remove(
        actor=cast.registrar,
        voter=voter,
        election=election,
        reason=RemovalReason.DEPRIVED,
        evidence="（2026）鄂0102刑初1号",
    )
    assert voter.status == Status.REMOVED
    # the freed ID could now be registered elsewhere; restoring is refused while it is
    register.voter_restore(
        actor=cast.registrar,
        voter=voter,
        election=election,
        court_date=date(2026, 1, 5),
        evidence="矫正期满证明 12 号",
    )
    voter.refresh_from_db()
    assert voter.status == Status.REGISTERED
    restored = voter.changes.get(kind=ChangeKind.RESTORED)
    assert restored.effective_date == date(2026, 1, 5)


def test_not_listed_needs_the_committee(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    voter = register_voter("周九")
    _refused(
        "选举委员会",
        lambda: register.voter_mark_not_listed(
            actor=cast.registrar,
            voter=voter,
            election=election,
            basis="医院证明",
            confirmed_on=date.today(),
        ),
    )
    register.voter_mark_not_listed(
        actor=cast.committee,
        voter=voter,
        election=election,
        basis="市精神卫生中心证明",
        confirmed_on=date(2026, 9, 1),
    )
    change = voter.changes.get(kind=ChangeKind.NOT_LISTED)
    assert change.summary["confirmed_by"] == "committee"
    assert change.evidence == "市精神卫生中心证明"


def test_at_most_three_proxies_per_holder(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    holder = register_voter("吴受托")
    principals = [register_voter(f"委托人{i}") for i in range(4)]
    for principal in principals[:3]:
        register.proxy_register(
            actor=cast.registrar, election=election, principal=principal, holder=holder
        )
    _refused(
        "不得超过",
        lambda: register.proxy_register(
            actor=cast.registrar, election=election, principal=principals[3], holder=holder
        ),
    )


def test_certificate_lets_a_migrant_register_where_they_live(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    number = make_id()
    origin = register_voter("郑流动", id_number=number)
    certificate = certificates.certificate_issue(
        actor=cast.registrar, election=election, voter=origin
    )
    origin.refresh_from_db()
    assert origin.status == Status.CERTIFIED_OUT
    # Without the certificate the person is still registered at home
    _refused(
        "已在",
        lambda: voter_register(
            actor=cast.county_staff,
            election=election,
            district=District.objects.get(code=DISTRICT_3),
            person=Person(id_number=number, name="郑流动"),
        ),
    )
    moved = voter_register(
        actor=cast.county_staff,
        election=election,
        district=District.objects.get(code=DISTRICT_3),
        person=Person(id_number=number, name="郑流动"),
        kind=ChangeKind.MOVED_IN,
        certificate_number=certificate.number,
    )
    origin.refresh_from_db()
    certificate.refresh_from_db()
    assert moved.residence_kind == "certificate"
    assert origin.status == Status.REMOVED and origin.removal_reason == "moved_out"
    assert certificate.status == "used" and certificate.used_district_id == DISTRICT_3
    # A certificate is used once
    origin_2 = register_voter("冯二次")
    second = certificates.certificate_issue(actor=cast.registrar, election=election, voter=origin_2)
    _refused(
        "不存在",
        lambda: voter_register(
            actor=cast.county_staff,
            election=election,
            district=District.objects.get(code=DISTRICT_3),
            person=Person(id_number=make_id(), name="冯二次"),
            certificate_number=second.number,
        ),
    )


def test_a_corrected_id_must_agree_with_the_sex_and_birth_date_given(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    voter = register_voter("韩更正")
    new = make_id(born=date(1988, 8, 8), male=True)
    _refused(
        "不一致",
        lambda: register.voter_correct(
            actor=cast.registrar,
            voter=voter,
            election=election,
            reason="号码录错",
            id_number=new,
            sex="F",
        ),
    )
    register.voter_correct(
        actor=cast.registrar,
        voter=voter,
        election=election,
        reason="号码录错",
        id_number=new,
        birth_date=date(1988, 8, 8),
    )
    voter.refresh_from_db()
    assert voter.birth_date == date(1988, 8, 8) and voter.sex == "M"
    assert voter.changes.filter(kind=ChangeKind.CORRECTED).count() == 1


def test_bulk_removals_are_frozen_once_the_list_is_published(
    cast: Cast, register_voter: RegisterVoter, election: Election
) -> None:
    from renda.voters.services.publication import list_publish_first

    voters = [register_voter(f"冻结{i}") for i in range(3)]
    assert (
        register.voters_remove_bulk(
            actor=cast.registrar,
            voters=voters[:1],
            election=election,
            reason=RemovalReason.MOVED_OUT,
            evidence="迁出证明",
        )
        == 1
    )
    list_publish_first(
        actor=cast.committee, election=election, district=District.objects.get(code=DISTRICT)
    )
    _refused(
        "已公布",
        lambda: register.voters_remove_bulk(
            actor=cast.registrar,
            voters=voters[1:],
            election=election,
            reason=RemovalReason.MOVED_OUT,
            evidence="迁出证明",
        ),
    )
    # one by one still works, and waits for the next supplement
    register.voter_remove(
        actor=cast.registrar,
        voter=voters[1],
        election=election,
        reason=RemovalReason.MOVED_OUT,
        evidence="迁出证明",
    )
    assert voters[1].changes.get(kind=ChangeKind.MOVED_OUT).published_in is None
