"""An area's figures are the sums of its districts' counters, grouped per sub-region by code;
checked against sums worked out by hand (see conftest.py for the counters)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from renda.accounts.scopes import place_of
from renda.core.testing import (
    CITY,
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    OTHER_CITY,
    PROVINCE,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.codes import Level
from renda.regions.models import District, Region
from renda.stats import selectors
from renda.stats.figures import Figures, rate_of
from renda.stats.selectors import Report, area_report, place_for, report_for
from renda.voters.models import Election, RemovalReason, Status
from renda.voters.services.register import voter_remove, voter_set_mobile_box, voter_suspend
from renda.voters.tests.conftest import RegisterVoter, make_id

from .conftest import FIRST, set_tally

pytestmark = pytest.mark.django_db


def report(election: Election, code: int) -> Report:
    region = Region.objects.filter(code=code).first()
    target = region if region is not None else District.objects.get(code=code)
    return area_report(election, place_of(target))


def rows_by_name(r: Report) -> dict[str, Figures]:
    return {row.name: row.figures for row in r.rows}


# --- Rate maths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "expected", "rate"),
    [
        (0, 0, None),  # nothing expected: no rate, not 0% and not a division by zero
        (5, 0, None),
        (0, 10, Decimal("0.00")),
        (2, 3, Decimal("66.67")),
        (1, 3, Decimal("33.33")),
        (1, 160, Decimal("0.63")),  # 0.625 rounds half up (banker's rounding would give 0.62)
        (1, 8, Decimal("12.50")),
        (127, 150, Decimal("84.67")),
        (3, 2, Decimal("150.00")),  # more registered than the base data holds: shown as is
        (10, 10, Decimal("100.00")),
    ],
)
def test_rate_is_a_percentage_rounded_half_up_and_none_without_a_base(
    listed: int, expected: int, rate: Decimal | None
) -> None:
    assert rate_of(listed, expected) == rate


def test_listed_counts_the_suspended_but_not_the_not_listed_or_certified_out() -> None:
    figures = Figures(expected=10, registered=6, suspended=1, not_listed=2, certified_out=1)
    assert figures.listed == 7
    assert figures.rate == Decimal("70.00")
    assert figures.active == 10
    assert figures.gap == 3
    assert Figures(expected=2, registered=3).gap == 0


def test_figures_add_up_and_serialise() -> None:
    a = Figures(expected=1, registered=2, districts=1, not_started=0)
    b = Figures(expected=3, registered=0, districts=1, not_started=1)
    total = Figures.total([a, b])
    assert total == Figures(expected=4, registered=2, districts=2, not_started=1)
    data = total.as_dict()
    assert data["listed"] == 2 and data["rate"] == 50.0
    assert Figures().as_dict()["rate"] is None
    assert Figures.of({"registered": "7", "unknown": 3, "expected": None}) == Figures(registered=7)


# --- Sums over the hand-set counters --------------------------------------------------------


def test_county_rows_are_its_townships_and_the_total_their_sum(tallies: Election) -> None:
    r = report(tallies, COUNTY)
    rows = rows_by_name(r)
    assert [row.name for row in r.rows] == ["大智街道", "一元街道"]
    dazhi, yiyuan = rows["大智街道"], rows["一元街道"]
    # 大智街道: 第一选区 only (第二选区 has no counters yet)
    assert (dazhi.expected, dazhi.listed, dazhi.rate) == (100, 82, Decimal("82.00"))
    assert (dazhi.districts, dazhi.not_started) == (2, 1)
    assert dazhi.mobile_box == 7 and dazhi.newly_18 == 10 and dazhi.moved_out == 3
    assert (yiyuan.expected, yiyuan.listed, yiyuan.rate) == (50, 45, Decimal("90.00"))
    assert (yiyuan.districts, yiyuan.not_started) == (1, 0)
    total = r.total
    assert (total.expected, total.listed, total.rate) == (150, 127, Decimal("84.67"))
    assert (total.districts, total.not_started) == (3, 1)
    assert total.newly_18 == 14 and total.moved_out == 4 and total.male == 64
    assert total == dazhi + yiyuan


def test_township_rows_are_its_districts(tallies: Election) -> None:
    r = report(tallies, TOWNSHIP)
    assert [(row.code, row.level) for row in r.rows] == [
        (DISTRICT, Level.DISTRICT),
        (DISTRICT_2, Level.DISTRICT),
    ]
    first, second = (row.figures for row in r.rows)
    assert first == Figures.of({**FIRST, "districts": 1, "not_started": 0})
    assert second == Figures(districts=1, not_started=1)
    assert second.rate is None


def test_city_and_province(tallies: Election) -> None:
    city = report(tallies, CITY)
    rows = rows_by_name(city)
    assert rows["江汉区"].listed == 10 and rows["江汉区"].rate == Decimal("1.00")
    assert (city.total.expected, city.total.listed, city.total.rate) == (
        1150,
        137,
        Decimal("11.91"),
    )
    province = report(tallies, PROVINCE)
    rows = rows_by_name(province)
    assert rows["武汉市"] == city.total
    assert rows["宜昌市"] == Figures()  # no districts at all
    assert rows["宜昌市"].rate is None
    assert province.total == city.total


def test_a_district_report_is_the_district_alone(tallies: Election) -> None:
    r = report(tallies, DISTRICT_3)
    assert len(r.rows) == 1 and r.rows[0].code == DISTRICT_3
    assert r.total.listed == 45 and r.total.districts == 1


def test_a_county_directly_under_the_province_is_its_own_row(tallies: Election) -> None:
    """仙桃市 (429004) is a county-level city directly under 湖北省: grouping by city digits
    would lump it with nothing; it must be a row of its own and leave 武汉市 alone."""
    Region.objects.create(code=429004000000, name="仙桃市", level=Level.COUNTY, parent_id=PROVINCE)
    Region.objects.create(
        code=429004001000, name="沙嘴街道", level=Level.TOWNSHIP, parent_id=429004000000
    )
    District.objects.create(code=429004001001, township_id=429004001000, name="第一选区")
    set_tally(tallies, 429004001001, expected=40, registered=30)
    rows = rows_by_name(report(tallies, PROVINCE))
    assert rows["仙桃市"].listed == 30 and rows["仙桃市"].districts == 1
    assert rows["武汉市"].listed == 137


def test_districts_under_an_abolished_township_go_to_a_row_of_their_own(tallies: Election) -> None:
    Region.objects.create(
        code=420102099000,
        name="已撤销街道",
        level=Level.TOWNSHIP,
        parent_id=COUNTY,
        valid_to=date(2020, 1, 1),
    )
    District.objects.create(code=420102099001, township_id=420102099000, name="第一选区")
    set_tally(tallies, 420102099001, expected=5, registered=5)
    r = report(tallies, COUNTY)
    other = r.rows[-1]
    assert other.code is None and other.figures.listed == 5
    assert r.total.listed == 127 + 5
    assert r.total == Figures.total(row.figures for row in r.rows)


def test_an_election_counts_only_inside_its_own_area(tallies: Election) -> None:
    county_election = Election.objects.create(
        code="jiangan",
        name="江岸区补选",
        region_id=COUNTY,
        election_day=tallies.election_day,
        registration_opens=tallies.registration_opens,
        registration_closes=tallies.registration_closes,
        publication_deadline=tallies.publication_deadline,
    )
    set_tally(county_election, DISTRICT, expected=9, registered=3)
    set_tally(county_election, SIBLING_DISTRICT, expected=9, registered=9)  # outside: ignored
    city = report(county_election, CITY)
    assert rows_by_name(city)["江汉区"] == Figures()
    assert city.total.listed == 3 and city.total.districts == 3
    outside = report(county_election, SIBLING_COUNTY)
    assert outside.window is None and outside.total == Figures()
    # and the other election's counters are never mixed in
    assert report(tallies, COUNTY).total.listed == 127


# --- The counters as the register keeps them ------------------------------------------------


def test_figures_follow_the_register(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    """Through the real services: register four, suspend one, remove one, one mobile box."""
    a = register_voter("甲", id_number=make_id(born=date(2000, 1, 1), male=True))
    b = register_voter("乙", id_number=make_id(born=date(1950, 1, 1), male=False))
    c = register_voter(
        "丙", district=DISTRICT_3, actor=cast.county_staff, id_number=make_id(born=date(1970, 1, 1))
    )
    d = register_voter("丁", id_number=make_id(born=date(1980, 1, 1), male=False))
    voter_suspend(actor=cast.registrar, voter=b, election=election, decision="检察院决定")
    voter_set_mobile_box(actor=cast.registrar, voter=a, election=election, on=True)
    voter_remove(
        actor=cast.county_staff,
        voter=d,
        election=election,
        reason=RemovalReason.DECEASED,
        evidence="死亡证明 2026-001",
    )
    r = report(election, COUNTY)
    dazhi = rows_by_name(r)["大智街道"]
    assert (dazhi.registered, dazhi.suspended, dazhi.listed) == (1, 1, 2)
    assert (dazhi.male, dazhi.female) == (1, 1)
    assert (dazhi.age_18_35, dazhi.age_60_plus) == (1, 1)
    assert dazhi.mobile_box == 1 and dazhi.deceased == 1 and dazhi.removed == 1
    assert dazhi.not_started == 1  # 第二选区
    assert rows_by_name(r)["一元街道"].listed == 1
    assert r.total.listed == 3
    assert c.status == Status.REGISTERED


# --- Scoping --------------------------------------------------------------------------------


def test_place_for_scopes_to_the_whole_area(cast: Cast, tallies: Election) -> None:
    assert place_for(cast.township_staff, TOWNSHIP).code == TOWNSHIP
    assert place_for(cast.township_staff, DISTRICT_2).code == DISTRICT_2
    for user, code in [
        (cast.township_staff, TOWNSHIP_2),  # the sibling township
        (cast.township_staff, COUNTY),  # above: only part of it is theirs
        (cast.registrar, DISTRICT_2),
        (cast.outsider, COUNTY),
        (cast.county_staff, SIBLING_COUNTY),
        (cast.deputy, COUNTY),  # no right to the register's figures
        (cast.sysadmin, PROVINCE),
        (cast.nobody, COUNTY),
        (cast.province_staff, 999999000000),  # no such region
    ]:
        with pytest.raises(Http404):
            place_for(user, code)
    place = place_for(cast.province_staff, OTHER_CITY)
    with pytest.raises(Http404):
        report_for(cast.township_staff, tallies, place)


def test_home_code_is_the_highest_assignment_with_figures(cast: Cast) -> None:
    assert selectors.home_code(cast.county_staff) == COUNTY
    assert selectors.home_code(cast.registrar) == DISTRICT
    assert selectors.home_code(cast.deputy) is None


def test_province_sized_figures_do_not_overflow(tallies: Election) -> None:
    """48 million people: products in the 'behind' test exceed a 32-bit integer."""
    from renda.stats.selectors import lagging_of

    set_tally(tallies, DISTRICT, expected=30_000_000, registered=20_000_000)
    set_tally(tallies, SIBLING_DISTRICT, expected=18_000_000, registered=17_500_000)
    r = report(tallies, PROVINCE)
    assert r.total.expected == 48_000_050 and r.total.listed == 37_500_047  # + 2 suspended
    table = lagging_of(tallies, r.window, r.total)
    assert [row.code for row in table.rows][:2] == [DISTRICT_2, DISTRICT]
    assert table.found == 2 and table.not_started == 1
