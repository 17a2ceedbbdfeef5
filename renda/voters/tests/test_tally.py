"""The registration counters: kept in the transaction of every change, equal to a recount.

Every test ends with ``no_drift()`` (the kept rows equal tally.recount for every open
election), and the explicit figures beside it make sure a wrong recount cannot hide a wrong
counter.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from renda.core.errors import ServiceError
from renda.core.testing import (
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    PROVINCE,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.models import District
from renda.voters import tally
from renda.voters.models import (
    ChangeKind,
    Election,
    Proxy,
    RemovalReason,
    ResidenceKind,
    Status,
    VoterTally,
    VoterTallyEthnicity,
)
from renda.voters.rules import Feb29Rule, age_on
from renda.voters.services.certificates import certificate_issue, certificate_revoke
from renda.voters.services.elections import election_create, election_update
from renda.voters.services.register import (
    Person,
    proxy_register,
    proxy_revoke,
    voter_correct,
    voter_mark_not_listed,
    voter_register,
    voter_reinstate,
    voter_remove,
    voter_restore,
    voter_set_mobile_box,
    voter_suspend,
    voters_remove_bulk,
)
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db

TUJIA = 15  # 土家族


def counters(election: Election, district: int = DISTRICT) -> dict[str, int]:
    """The non-zero counters of one district's row."""
    row = (
        VoterTally.objects.filter(election=election, district_id=district)
        .values(*tally.COUNTERS)
        .first()
    )
    return {c: n for c, n in (row or {}).items() if n}


def ethnicities(election: Election, district: int = DISTRICT) -> dict[int, int]:
    return dict(
        VoterTallyEthnicity.objects.filter(election=election, district_id=district).values_list(
            "ethnicity", "count"
        )
    )


def no_drift() -> None:
    assert tally.verify() == []


def born_aged(election: Election, years: int) -> date:
    """A birth date of someone exactly ``years`` old on the election day."""
    return tally.born_by(election.election_day, years) - timedelta(days=100)


# --- Arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [Feb29Rule.FEB_28, Feb29Rule.MAR_1])
def test_age_bands_agree_with_age_on_around_every_birthday_edge(rule: str) -> None:
    days = [date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1), date(2026, 12, 31)]
    for day in days:
        bands = tally.Bands.of(day, rule)
        for years in (18, 36, 60):
            edge = tally.born_by(day, years, rule)
            assert age_on(edge, day, rule) >= years
            assert age_on(edge + timedelta(days=1), day, rule) < years
        for offset in range(-3, 4):
            for years in (17, 18, 35, 36, 59, 60):
                start = date(day.year - years, 2, 26) + timedelta(days=offset)
                for born in (start, date(start.year, 2, 28), date(2000, 2, 29)):
                    age = age_on(born, day, rule)
                    expected = (
                        "age_60_plus"
                        if age >= 60
                        else "age_36_59"
                        if age >= 36
                        else "age_18_35"
                        if age >= 18
                        else None
                    )
                    assert bands.band(born) == expected, (day, born, age)


def test_a_29_february_birthday_follows_the_election_setting() -> None:
    day = date(2026, 2, 28)  # a common year: born 29 Feb 2008, 18 today or on 1 March
    person = tally.State(DISTRICT, Status.REGISTERED, "M", date(2008, 2, 29))
    assert "age_18_35" in tally.contribution(person, day, Feb29Rule.FEB_28)
    assert "age_18_35" not in tally.contribution(person, day, Feb29Rule.MAR_1)


def test_contribution_of_each_status() -> None:
    day = date(2026, 11, 1)
    man = tally.State(
        DISTRICT, Status.REGISTERED, "M", date(2000, 1, 1), TUJIA, "certificate", True
    )
    assert tally.contribution(man, day) == {
        "registered": 1,
        "male": 1,
        "age_18_35": 1,
        "minority": 1,
        "certificate_holders": 1,
        "mobile_box": 1,
    }
    for status in (Status.NOT_LISTED, Status.SUSPENDED, Status.CERTIFIED_OUT):
        assert tally.contribution(tally.State(DISTRICT, status, "F", date(1950, 1, 1)), day) == {
            status.value: 1,
            "female": 1,
            "age_60_plus": 1,
        }
    removed = tally.State(DISTRICT, Status.REMOVED, "M", date(1990, 1, 1), TUJIA, mobile_box=True)
    assert tally.contribution(removed, day) == {"removed": 1}  # no structure once removed


def test_rate_is_listed_over_expected() -> None:
    assert tally.rate(95, 100) == 0.95
    assert tally.rate(0, 0) is None
    row = VoterTally(registered=90, suspended=5, not_listed=3, certified_out=2, expected=100)
    assert row.listed == 95
    assert tally.rate(row.listed, row.expected) == 0.95


# --- The register services ------------------------------------------------------------------


def test_registering_counts_sex_age_ethnicity_and_kind(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三", id_number=make_id(born=born_aged(election, 20)))
    register_voter("李四", id_number=make_id(born=born_aged(election, 40)), ethnicity=TUJIA)
    register_voter("王芳", id_number=make_id(born=born_aged(election, 70), male=False))
    voter_register(
        actor=cast.registrar,
        election=election,
        district=District.objects.get(code=DISTRICT),
        person=Person(id_number=make_id(born=born_aged(election, 18)), name="赵新"),
        kind=ChangeKind.NEWLY_18,
    )

    assert counters(election) == {
        "registered": 4,
        "male": 3,
        "female": 1,
        "age_18_35": 2,
        "age_36_59": 1,
        "age_60_plus": 1,
        "minority": 1,
        "newly_18": 1,
    }
    assert ethnicities(election) == {1: 3, TUJIA: 1}
    assert counters(election, DISTRICT_2) == {}
    no_drift()


def test_corrections_move_people_between_columns(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    voter = register_voter("张三", id_number=make_id(born=born_aged(election, 30)))
    assert counters(election) == {"registered": 1, "male": 1, "age_18_35": 1}

    new_number = make_id(born=born_aged(election, 45), male=False)
    voter_correct(
        actor=cast.registrar,
        voter=voter,
        election=election,
        reason="录入错误",
        id_number=new_number,
    )
    assert counters(election) == {"registered": 1, "female": 1, "age_36_59": 1}

    voter_correct(
        actor=cast.registrar,
        voter=voter,
        election=election,
        reason="民族有误",
        ethnicity=TUJIA,
        residence_kind=ResidenceKind.CERTIFICATE,
    )
    assert counters(election) == {
        "registered": 1,
        "female": 1,
        "age_36_59": 1,
        "minority": 1,
        "certificate_holders": 1,
    }
    assert ethnicities(election) == {TUJIA: 1}  # the 汉族 row, now zero, is gone
    no_drift()


@pytest.mark.parametrize(
    ("reason", "kind_counter"),
    [
        (RemovalReason.DECEASED, "deceased"),
        (RemovalReason.DEPRIVED, "deprived"),
        (RemovalReason.MOVED_OUT, "moved_out"),
        (RemovalReason.DUPLICATE, None),
        (RemovalReason.ERROR, None),
    ],
)
def test_each_removal_reason(
    cast: Cast,
    election: Election,
    register_voter: RegisterVoter,
    reason: RemovalReason,
    kind_counter: str | None,
) -> None:
    born = born_aged(election, 50)
    register_voter("李四", id_number=make_id(born=born), ethnicity=TUJIA)
    voter = register_voter("张三", id_number=make_id(born=born), ethnicity=TUJIA)
    voter_remove(actor=cast.registrar, voter=voter, election=election, reason=reason, evidence="证")

    expected = {"registered": 1, "removed": 1, "male": 1, "minority": 1, "age_36_59": 1}
    if kind_counter:
        expected[kind_counter] = 1
    assert counters(election) == expected
    assert ethnicities(election) == {TUJIA: 1}
    no_drift()


def test_restore_suspend_not_listed_reinstate_and_mobile_box(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    voter = register_voter("张三")
    other = register_voter("李四")
    voter_remove(
        actor=cast.registrar,
        voter=voter,
        election=election,
        reason=RemovalReason.DEPRIVED,
        evidence="判决书",
    )
    voter_restore(
        actor=cast.registrar,
        voter=voter,
        election=election,
        court_date=timezone.localdate(),
        evidence="裁定书",
    )
    assert {k: counters(election)[k] for k in ("registered", "deprived", "restored")} == {
        "registered": 2,
        "deprived": 1,
        "restored": 1,
    }
    assert "removed" not in counters(election)

    voter_suspend(actor=cast.registrar, voter=voter, election=election, decision="决定书")
    voter_mark_not_listed(
        actor=cast.committee,
        voter=other,
        election=election,
        basis="医院证明",
        confirmed_on=timezone.localdate(),
    )
    voter_set_mobile_box(actor=cast.registrar, voter=voter, election=election, on=True)
    now = counters(election)
    assert (now.get("registered"), now["suspended"], now["not_listed"], now["male"]) == (
        None,
        1,
        1,
        2,
    )
    assert now["mobile_box"] == 1
    no_drift()

    voter_reinstate(actor=cast.registrar, voter=voter, election=election, evidence="撤销决定")
    voter_reinstate(actor=cast.committee, voter=other, election=election, evidence="复查")
    voter_set_mobile_box(actor=cast.registrar, voter=voter, election=election, on=False)
    now = counters(election)
    assert (now["registered"], now.get("suspended"), now.get("not_listed")) == (2, None, None)
    assert "mobile_box" not in now
    no_drift()


def test_proxies_are_counted_while_active(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    principal, holder = register_voter("张三"), register_voter("李四")
    proxy = proxy_register(
        actor=cast.registrar, election=election, principal=principal, holder=holder
    )
    assert counters(election)["proxies"] == 1
    no_drift()

    proxy_revoke(actor=cast.registrar, proxy=proxy)
    assert "proxies" not in counters(election)
    with pytest.raises(ServiceError):
        proxy_revoke(actor=cast.registrar, proxy=Proxy.objects.get(pk=proxy.pk))
    assert "proxies" not in counters(election)
    no_drift()


def test_certificates_issued_used_elsewhere_and_revoked(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = make_id()
    migrant = register_voter("张三", id_number=number)
    stays = register_voter("李四")
    used = certificate_issue(actor=cast.registrar, election=election, voter=migrant)
    withdrawn = certificate_issue(actor=cast.registrar, election=election, voter=stays)
    assert counters(election) == {
        "certified_out": 2,
        "certificates_issued": 2,
        "male": 2,
        **{k: v for k, v in counters(election).items() if k.startswith("age")},
    }

    voter_register(
        actor=cast.county_staff,
        election=election,
        district=District.objects.get(code=DISTRICT_3),
        person=Person(id_number=number, name="张三"),
        certificate_number=used.number,
    )
    certificate_revoke(actor=cast.registrar, certificate=withdrawn, reason="本人撤回")

    here, there = counters(election), counters(election, DISTRICT_3)
    assert (here["removed"], here["registered"], here["certificates_issued"]) == (1, 1, 1)
    assert "certified_out" not in here
    assert (there["registered"], there["certificate_holders"]) == (1, 1)
    assert "certificates_issued" not in there
    with pytest.raises(ServiceError):
        certificate_revoke(actor=cast.registrar, certificate=withdrawn, reason="again")
    no_drift()


def test_a_bulk_removal_is_one_batch_of_counters(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    people = [register_voter(f"张{i}") for i in range(5)]
    voters_remove_bulk(
        actor=cast.registrar,
        voters=people[:3],
        election=election,
        reason=RemovalReason.MOVED_OUT,
        evidence="户籍迁出",
    )
    now = counters(election)
    assert (now["registered"], now["removed"], now["moved_out"], now["male"]) == (2, 3, 3, 2)
    no_drift()


def test_a_failed_service_inside_a_caught_block_counts_nothing(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number = make_id()
    register_voter("张三", id_number=number)
    with tally.atomic():
        with pytest.raises(ServiceError):
            register_voter("张三", id_number=number)  # already registered: refused inside
        register_voter("李四")
    assert counters(election)["registered"] == 2
    no_drift()


def test_a_move_between_districts_carries_proxies(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    """What an online transfer does (services/transfers.py): watch, move, save."""
    principal, holder = register_voter("张三", ethnicity=TUJIA), register_voter("李四")
    proxy_register(actor=cast.registrar, election=election, principal=principal, holder=holder)
    with tally.atomic():
        tally.watch(principal)
        principal.district_id = DISTRICT_2
        principal.save()
    here, there = counters(election), counters(election, DISTRICT_2)
    assert (here["registered"], here.get("proxies"), here.get("minority")) == (1, None, None)
    assert (there["registered"], there["proxies"], there["minority"]) == (1, 1, 1)
    assert ethnicities(election, DISTRICT_2) == {TUJIA: 1}
    no_drift()


def test_watch_outside_a_frame_is_a_programming_error(register_voter: RegisterVoter) -> None:
    with pytest.raises(RuntimeError):
        tally.watch(register_voter("张三"))


# --- Elections ------------------------------------------------------------------------------


def test_a_new_election_starts_from_the_register_with_its_own_age_bands(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    day = election.election_day
    # 35 on this election's day, 36 on the next one's a year later
    born = tally.born_by(day, 35) - timedelta(days=1)
    register_voter("张三", id_number=make_id(born=born))
    register_voter("李四", district=DISTRICT_3, actor=cast.county_staff, ethnicity=TUJIA)
    assert counters(election)["age_18_35"] == 1

    later = election_create(
        actor=cast.province_staff,
        region=election.region,
        code="hb-2027",
        name="补选",
        election_day=day + timedelta(days=366),
        registration_opens=timezone.localdate(),
    )
    assert counters(later) == {"registered": 1, "male": 1, "age_36_59": 1}
    assert counters(later, DISTRICT_3)["minority"] == 1
    assert "newly_18" not in counters(later) and counters(election)["age_18_35"] == 1
    no_drift()

    election_update(
        actor=cast.province_staff,
        election=later,
        election_day=day,
        registration_closes=election.registration_closes,
        publication_deadline=election.publication_deadline,
    )
    assert counters(later)["age_18_35"] == 1
    no_drift()


def test_only_open_elections_covering_the_district_count(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    today = timezone.localdate()
    past = Election.objects.create(
        code="old",
        name="上届",
        region_id=PROVINCE,
        election_day=today - timedelta(days=1),
        registration_opens=today - timedelta(days=90),
        registration_closes=today - timedelta(days=2),
        publication_deadline=today - timedelta(days=21),
    )
    township = Election.objects.create(
        code="dazhi",
        name="大智街道补选",
        region_id=TOWNSHIP,
        election_day=today + timedelta(days=30),
        registration_opens=today,
        registration_closes=today + timedelta(days=29),
        publication_deadline=today + timedelta(days=10),
    )
    register_voter("张三")
    register_voter("李四", district=DISTRICT_3, actor=cast.county_staff)
    assert [e.code for e in tally.open_elections_for([DISTRICT])] == ["hb-2026", "dazhi"]
    assert counters(township)["registered"] == 1
    assert counters(township, DISTRICT_3) == {}
    assert counters(past) == {}
    assert counters(election, DISTRICT_3)["registered"] == 1
    no_drift()


# --- Verify and rebuild ---------------------------------------------------------------------


def test_verify_finds_a_corrupted_counter_and_rebuild_repairs_it_keeping_expected(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三", ethnicity=TUJIA)
    tally.set_expected(election, {DISTRICT: 40, DISTRICT_2: 10})
    VoterTally.objects.filter(election=election, district_id=DISTRICT).update(male=7)
    VoterTallyEthnicity.objects.filter(election=election).delete()

    drift = tally.verify()
    assert {(d.district, d.column, d.stored, d.counted) for d in drift} == {
        (DISTRICT, "male", 7, 1),
        (DISTRICT, f"ethnicity_{TUJIA:02d}", 0, 1),
    }
    assert tally.verify(lo=DISTRICT_2, hi=DISTRICT_2) == []

    tally.rebuild(election)
    no_drift()
    assert VoterTally.objects.get(election=election, district_id=DISTRICT).expected == 40
    assert tally.totals(election, *election.region.subtree)["expected"] == 50


def test_roll_up_sums_districts_by_child_region(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三")
    register_voter("李四", district=DISTRICT_2, actor=cast.county_staff)
    register_voter("王五", district=DISTRICT_3, actor=cast.county_staff)
    register_voter("赵六", district=SIBLING_DISTRICT, actor=cast.outsider, ethnicity=TUJIA)
    counties = tally.by_child(election, *election.region.subtree, span=10**6)
    assert {code: row["registered"] for code, row in counties.items()} == {
        COUNTY: 3,
        SIBLING_COUNTY: 1,
    }
    assert counties[SIBLING_COUNTY]["minority"] == 1
    townships = tally.by_child(election, COUNTY, COUNTY + 10**6 - 1, span=1000)
    assert {code: row["registered"] for code, row in townships.items()} == {
        TOWNSHIP: 2,
        TOWNSHIP_2: 1,
    }
    assert tally.totals(election, COUNTY, COUNTY + 10**6 - 1)["registered"] == 3


def test_apply_adds_in_batches_larger_than_one_statement(cast: Cast, election: Election) -> None:
    codes = [TOWNSHIP + 100 + i for i in range(100)]
    District.objects.bulk_create(
        [District(code=code, township_id=TOWNSHIP, name=f"第{code % 1000}选区") for code in codes]
    )
    deltas = {
        (election.pk, code): Counter({"registered": i, "male": 1}) for i, code in enumerate(codes)
    }
    ethnic = Counter({(election.pk, code, e): 1 for code in codes for e in (1, 3, TUJIA)})
    for _ in range(2):  # inserted, then added to
        tally.apply(deltas)
        tally.apply_ethnicity(ethnic)
    rows = dict(
        VoterTally.objects.filter(district_id__in=codes).values_list("district_id", "registered")
    )
    assert rows == {code: 2 * i for i, code in enumerate(codes)}
    assert VoterTally.objects.filter(district_id__in=codes, male=2).count() == 100
    assert set(VoterTallyEthnicity.objects.values_list("count", flat=True)) == {2}
    tally.apply_ethnicity(Counter(dict.fromkeys(ethnic, -2)))
    assert not VoterTallyEthnicity.objects.exists()  # zero rows are not kept
