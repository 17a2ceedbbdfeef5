"""`renda demo --voters N`: plausible, valid, deterministic people, loaded once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.demo.builder import build_demo
from renda.demo.people import Place, make_people
from renda.demo.voters import (
    DAYS_TO_ELECTION,
    ELECTION_CODE,
    build_demo_voters,
    demo_places,
)
from renda.regions.codes import Level
from renda.regions.models import Region
from renda.voters import pii
from renda.voters.idnumbers import check_id
from renda.voters.models import (
    Certificate,
    Election,
    ResidenceKind,
    Source,
    Status,
    Voter,
    VoterChange,
    VoterList,
)
from renda.voters.rules import age_on, is_of_age

# A small slice of the real tree: each demo county with one or two townships.
TREE = [
    (420000000000, "湖北省", Level.PROVINCE, None),
    (420100000000, "武汉市", Level.CITY, 420000000000),
    (420500000000, "宜昌市", Level.CITY, 420000000000),
    (420102000000, "江岸区", Level.COUNTY, 420100000000),
    (420103000000, "江汉区", Level.COUNTY, 420100000000),
    (420106000000, "武昌区", Level.COUNTY, 420100000000),
    (420502000000, "西陵区", Level.COUNTY, 420500000000),
    (420506000000, "夷陵区", Level.COUNTY, 420500000000),
    (420527000000, "秭归县", Level.COUNTY, 420500000000),
    (420102002000, "大智街道", Level.TOWNSHIP, 420102000000),
    (420102003000, "一元街道", Level.TOWNSHIP, 420102000000),
    (420103001000, "民族街道", Level.TOWNSHIP, 420103000000),
    (420106001000, "积玉桥街道", Level.TOWNSHIP, 420106000000),
    (420502001000, "西陵街道", Level.TOWNSHIP, 420502000000),
    (420506101000, "小溪塔街道", Level.TOWNSHIP, 420506000000),
    (420506102000, "樟村坪镇", Level.TOWNSHIP, 420506000000),
    (420527100000, "茅坪镇", Level.TOWNSHIP, 420527000000),
]


@pytest.fixture
def province(db: None) -> None:
    Region.objects.bulk_create(
        [Region(code=c, name=n, level=lvl, parent_id=p) for c, n, lvl, p in TREE]
    )
    build_demo()


def test_the_same_people_every_time() -> None:
    places = [
        Place(420102002001, "第一选区", "大智街道", "420102", "湖北省武汉市江岸区", 5000),
        Place(420527100001, "第一选区", "茅坪镇", "420527", "湖北省宜昌市秭归县", 3000),
    ]
    day = timezone.localdate() + timedelta(days=60)
    first = make_people(places, 300, day)
    assert first == make_people(places, 300, day)
    assert make_people(places, 100, day) == first[:100]  # a bigger N only adds


def test_people_are_valid_adults_with_a_plausible_spread() -> None:
    places = [
        Place(420102002001, "第一选区", "大智街道", "420102", "湖北省武汉市江岸区", 5000),
        Place(420527100001, "第一选区", "茅坪镇", "420527", "湖北省宜昌市秭归县", 3000),
        Place(420506102001, "第一选区", "樟村坪镇", "420506", "湖北省宜昌市夷陵区", 3000),
    ]
    day = timezone.localdate() + timedelta(days=60)
    people = make_people(places, 5000, day)

    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        check = check_id(person.id_number)
        assert check.valid, person.id_number
        assert (check.birth_date, check.sex) == (person.birth_date, person.sex)
        assert is_of_age(person.birth_date, day)
        assert 18 <= age_on(person.birth_date, day) <= 95
    ages = Counter(age_on(p.birth_date, day) // 10 * 10 for p in people)
    assert ages[30] + ages[40] + ages[50] > ages[70] + ages[80] + ages[90]
    men = sum(p.sex == "M" for p in people) / len(people)
    assert 0.48 < men < 0.54
    ethnicities = Counter(p.ethnicity for p in people)
    assert ethnicities[1] > 0.8 * len(people) and ethnicities[15] > 0.03 * len(people)
    assert any("·" in p.name for p in people)
    assert any(p.name.startswith(("欧阳", "司马", "上官", "诸葛")) for p in people)
    assert {len(p.name) for p in people if "·" not in p.name} >= {2, 3}
    kinds = Counter(p.residence_kind for p in people)
    assert kinds[ResidenceKind.CERTIFICATE] > 0 and kinds[ResidenceKind.RESIDENT] > 0
    codes = Counter(p.id_number[:6] for p in people)
    assert codes["420102"] and codes["420527"] and codes["420521"]  # 宜昌县, abolished 2001
    assert all(p.group and p.residence_address.startswith("湖北省") for p in people)


@pytest.mark.usefixtures("province")
def test_demo_loads_voters_an_election_and_first_lists() -> None:
    load = build_demo_voters(300)

    assert (load.added, load.present, load.conflicts) == (300, 0, 0)
    election = Election.objects.get(code=ELECTION_CODE)
    today = timezone.localdate()
    assert election.region_id == 420000000000
    assert election.election_day == today + timedelta(days=DAYS_TO_ELECTION)
    assert election.publication_deadline == election.election_day - timedelta(days=20)
    assert election.registration_opens <= today <= election.registration_closes

    voters = list(Voter.objects.filter(source=Source.DEMO))
    assert len(voters) == 300
    assert {v.district_id for v in voters} <= {p.district_code for p in demo_places()}
    for voter in voters:
        check = check_id(pii.reveal(voter.id_cipher))
        assert check.valid and check.birth_date == voter.birth_date
        assert is_of_age(voter.birth_date, election.election_day)
    assert VoterChange.objects.filter(election=election, voter__source=Source.DEMO).count() == 301
    assert AuditEvent.objects.filter(action="voter.bulk_register").count() == 1

    assert load.lists >= 1
    first_lists = VoterList.objects.filter(election=election, number=0)
    assert first_lists.count() == load.lists
    for posted in first_lists:
        assert 420102000000 <= posted.district_id < 420103000000  # the committee's 江岸区
        on_list = Voter.objects.filter(district=posted.district, status=Status.REGISTERED)
        assert posted.entry_count == on_list.count() > 0
    assert load.certificates == 1
    certificate = Certificate.objects.get()
    assert certificate.voter.status == Status.CERTIFIED_OUT


@pytest.mark.usefixtures("province")
def test_a_second_run_adds_nothing_and_a_bigger_n_only_the_rest() -> None:
    build_demo_voters(300)
    rows = (Voter.objects.count(), VoterChange.objects.count(), AuditEvent.objects.count())
    ids = sorted(bytes(h) for h in Voter.objects.values_list("id_hash", flat=True))

    again = build_demo_voters(300)

    assert (again.added, again.present, again.lists, again.certificates) == (0, 300, 0, 0)
    assert (Voter.objects.count(), VoterChange.objects.count(), AuditEvent.objects.count()) == rows
    more = build_demo_voters(400)
    assert (more.added, more.present, more.conflicts) == (100, 300, 0)
    grown = {bytes(h) for h in Voter.objects.values_list("id_hash", flat=True)}
    assert set(ids) <= grown and len(grown) == 400


@pytest.mark.usefixtures("province")
def test_command_prints_a_summary_line() -> None:
    out = StringIO()
    call_command("demo", "--voters", "50", stdout=out)
    assert "demo voters: 50 added" in out.getvalue()
    assert ELECTION_CODE in out.getvalue()
    out = StringIO()
    call_command("demo", "--voters", "50", stdout=out)
    assert "demo voters: 0 added (50 already there" in out.getvalue()
