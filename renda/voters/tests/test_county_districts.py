"""County-level districts: who may draw them, what they may hold, and what the page warns about.

The election fixture covers the whole province and elects both levels. 江岸区 has three township
districts in the cast (大智街道 第一、第二选区, 一元街道 第一选区), each of 5,000 people and two
seats; 江汉区 (the outsider's county) has one.
"""

from __future__ import annotations

from datetime import date

import pytest

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import (
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    SIBLING_COUNTY,
    SIBLING_DISTRICT,
    TOWNSHIP,
    Cast,
)
from renda.core.tests.helpers import page_text
from renda.regions.models import District, Region
from renda.voters.models import CountyDistrict, CountyDistrictPart, Election, Levels
from renda.voters.selectors_county import (
    DEVIATION_WARNING,
    county_districts_for,
    mapping_check,
    seat_balance,
)
from renda.voters.services.county_districts import (
    county_district_create,
    county_district_set_parts,
    county_district_update,
)
from renda.voters.services.elections import election_create

pytestmark = pytest.mark.django_db


def region(code: int) -> Region:
    return Region.objects.get(code=code)


def district(code: int) -> District:
    return District.objects.select_related("township").get(code=code)


def make(cast: Cast, election: Election, name: str = "第一选区", seats: int = 2) -> CountyDistrict:
    return county_district_create(
        actor=cast.county_staff, election=election, county=region(COUNTY), name=name, seats=seats
    )


def set_parts(cast: Cast, cd: CountyDistrict, *parts: tuple[int, bool, str]) -> None:
    county_district_set_parts(
        actor=cast.county_staff,
        county_district=cd,
        parts=[(district(code), whole, note) for code, whole, note in parts],
    )


def detail_url(election: Election, county: int = COUNTY) -> str:
    return f"/voters/elections/{election.pk}/?county={county}"


# Through the pages


def test_county_staff_create_rename_and_delete_through_the_pages(
    cast: Cast, election: Election
) -> None:
    client = cast.client(cast.county_staff)
    form = client.get(f"/voters/elections/{election.pk}/county-districts/new/?county={COUNTY}")
    assert "在江岸区新增县级选区" in page_text(form)

    created = client.post(
        f"/voters/elections/{election.pk}/county-districts/new/",
        {"county": str(COUNTY), "name": "第一选区", "seats": "2"},
    )
    cd = CountyDistrict.objects.get(election=election, county_id=COUNTY)
    assert created.status_code == 302
    assert created["Location"] == f"/voters/elections/county-districts/{cd.pk}/parts/"
    assert (cd.name, cd.seats) == ("第一选区", 2)

    edited = client.post(
        f"/voters/elections/county-districts/{cd.pk}/edit/",
        {"name": "第一选区（大智）", "seats": "3"},
    )
    assert edited.status_code == 302
    assert edited["Location"] == f"{detail_url(election)}#county-{COUNTY}"
    cd.refresh_from_db()
    assert (cd.name, cd.seats) == ("第一选区（大智）", 3)
    assert "第一选区（大智）" in page_text(client.get(detail_url(election)))

    deleted = client.post(f"/voters/elections/county-districts/{cd.pk}/delete/")
    assert deleted.status_code == 302
    assert not CountyDistrict.objects.exists()

    actions = AuditEvent.objects.filter(region_code=COUNTY, target_id=str(cd.pk))
    assert sorted(actions.values_list("action", flat=True)) == [
        "county_district.create",
        "county_district.delete",
        "county_district.update",
    ]
    update = actions.get(action="county_district.update")
    assert update.actor == cast.county_staff
    assert update.summary["changed"] == {"name": ["第一选区", "第一选区（大智）"], "seats": [2, 3]}


def test_the_parts_editor_saves_whole_and_partial_districts(cast: Cast, election: Election) -> None:
    cd = make(cast, election)
    client = cast.client(cast.county_staff)
    page = page_text(client.get(f"/voters/elections/county-districts/{cd.pk}/parts/"))
    for text in ("大智街道", "一元街道", "部分（按单位）", f'name="include_{DISTRICT}"'):
        assert text in page
    assert f'name="include_{SIBLING_DISTRICT}"' not in page

    response = client.post(
        f"/voters/elections/county-districts/{cd.pk}/parts/",
        {
            f"include_{DISTRICT}": "on",
            f"include_{DISTRICT_2}": "on",
            f"partial_{DISTRICT_2}": "on",
            f"note_{DISTRICT_2}": "武汉港务集团",
        },
    )
    assert response.status_code == 302
    parts = {p.district_id: (p.whole, p.note) for p in CountyDistrictPart.objects.all()}
    assert parts == {DISTRICT: (True, ""), DISTRICT_2: (False, "武汉港务集团")}
    event = AuditEvent.objects.get(action="county_district.set_parts")
    assert event.region_code == COUNTY
    assert event.summary["before"] == []
    assert len(event.summary["after"]) == 2

    shown = page_text(client.get(detail_url(election)))
    assert "武汉港务集团" in shown
    again = page_text(client.get(f"/voters/elections/county-districts/{cd.pk}/parts/"))
    assert 'value="武汉港务集团"' in again


def test_a_partial_district_needs_its_work_units_named(cast: Cast, election: Election) -> None:
    cd = make(cast, election)
    response = cast.client(cast.county_staff).post(
        f"/voters/elections/county-districts/{cd.pk}/parts/",
        {f"include_{DISTRICT}": "on", f"partial_{DISTRICT}": "on", f"note_{DISTRICT}": " "},
    )
    assert response.status_code == 200
    assert "部分划入，请写明划入的单位" in page_text(response)
    assert not CountyDistrictPart.objects.exists()


# The rules


def test_a_district_included_whole_in_two_county_districts_is_refused(
    cast: Cast, election: Election
) -> None:
    first, second = make(cast, election), make(cast, election, "第二选区")
    set_parts(cast, first, (DISTRICT, True, ""))
    with pytest.raises(ServiceError, match="已整体划入县级选区“第一选区”"):
        set_parts(cast, second, (DISTRICT, True, ""))
    with pytest.raises(ServiceError, match="已整体划入县级选区“第一选区”"):
        set_parts(cast, second, (DISTRICT, False, "某单位"))

    response = cast.client(cast.county_staff).post(
        f"/voters/elections/county-districts/{second.pk}/parts/", {f"include_{DISTRICT}": "on"}
    )
    assert "选区“大智街道第一选区”已整体划入县级选区“第一选区”" in page_text(response)
    assert list(CountyDistrictPart.objects.values_list("county_district", flat=True)) == [first.pk]
    assert not AuditEvent.objects.filter(
        action="county_district.set_parts", target_id=str(second.pk)
    ).exists()


def test_parts_by_work_unit_may_be_split_but_not_then_taken_whole(
    cast: Cast, election: Election
) -> None:
    first, second, third = (make(cast, election, f"第{n}选区") for n in "一二三")
    set_parts(cast, first, (DISTRICT, False, "甲单位"))
    set_parts(cast, second, (DISTRICT, False, "乙单位"))
    assert CountyDistrictPart.objects.filter(district_id=DISTRICT).count() == 2
    with pytest.raises(ServiceError, match="已有部分单位划入县级选区"):
        set_parts(cast, third, (DISTRICT, True, ""))
    # Replacing a county district's own parts is not a conflict with itself.
    set_parts(cast, first, (DISTRICT_3, True, ""))
    set_parts(cast, first, (DISTRICT_3, True, ""), (DISTRICT_2, True, ""))
    assert set(first.districts.values_list("code", flat=True)) == {DISTRICT_2, DISTRICT_3}


def test_parts_must_be_districts_of_the_county(cast: Cast, election: Election) -> None:
    cd = make(cast, election)
    with pytest.raises(ServiceError, match="不属于江岸区"):
        set_parts(cast, cd, (SIBLING_DISTRICT, True, ""))
    with pytest.raises(ServiceError, match="重复列出"):
        set_parts(cast, cd, (DISTRICT, True, ""), (DISTRICT, False, "x"))


def test_seats_are_one_to_three_and_names_unique_per_county(cast: Cast, election: Election) -> None:
    for seats in (0, 4):
        with pytest.raises(ServiceError, match="1 至 3 名"):
            make(cast, election, seats=seats)
    cd = make(cast, election)
    with pytest.raises(ServiceError, match="已有名为“第一选区”"):
        make(cast, election)
    other = make(cast, election, "第二选区")
    with pytest.raises(ServiceError, match="已有名为“第一选区”"):
        county_district_update(
            actor=cast.county_staff, county_district=other, name=cd.name, seats=1
        )
    other.refresh_from_db()
    assert other.name == "第二选区"
    # The same name is fine in another county.
    county_district_create(
        actor=cast.city_staff, election=election, county=region(SIBLING_COUNTY), name="第一选区"
    )


def test_the_county_must_be_a_county_of_the_election_that_elects_county_deputies(
    cast: Cast, election: Election
) -> None:
    with pytest.raises(
        ServiceError, match="“大智街道”不是“湖北省县乡两级人大换届选举”范围内的县级行政区"
    ):
        county_district_create(
            actor=cast.county_staff, election=election, county=region(TOWNSHIP), name="x"
        )
    jiangan = election_create(
        actor=cast.county_staff,
        region=region(COUNTY),
        code="jiangan-2027",
        name="江岸区换届选举",
        election_day=date(2027, 11, 25),
        registration_opens=date(2027, 9, 1),
    )
    with pytest.raises(ServiceError, match="不是“江岸区换届选举”范围内的县级行政区"):
        county_district_create(
            actor=cast.city_staff, election=jiangan, county=region(SIBLING_COUNTY), name="x"
        )
    election.levels = Levels.TOWNSHIP
    election.save()
    with pytest.raises(ServiceError, match="不选举县级人大代表"):
        make(cast, election)


@pytest.mark.parametrize("who", ["township_staff", "committee", "registrar", "outsider", "nobody"])
def test_only_those_who_manage_elections_of_the_county_may_draw(
    cast: Cast, election: Election, who: str
) -> None:
    with pytest.raises(ServiceError, match="无权划分"):
        county_district_create(
            actor=getattr(cast, who), election=election, county=region(COUNTY), name="x"
        )


@pytest.mark.parametrize("who", ["county_staff", "city_staff", "province_staff"])
def test_county_city_and_province_staff_may_draw(cast: Cast, election: Election, who: str) -> None:
    cd = county_district_create(
        actor=getattr(cast, who), election=election, county=region(COUNTY), name="第一选区"
    )
    assert AuditEvent.objects.get(action="county_district.create").actor == getattr(cast, who)
    assert cd.county_id == COUNTY


# Scoping: other users and other counties get 404


@pytest.mark.parametrize("who", ["outsider", "township_staff", "registrar", "committee", "nobody"])
def test_others_get_404_on_every_county_district_page(
    cast: Cast, election: Election, who: str
) -> None:
    cd = make(cast, election)
    set_parts(cast, cd, (DISTRICT, True, ""))
    client = cast.client(getattr(cast, who))
    assert client.get(f"/voters/elections/county-districts/{cd.pk}/edit/").status_code == 404
    assert client.get(f"/voters/elections/county-districts/{cd.pk}/parts/").status_code == 404
    assert (
        client.post(f"/voters/elections/county-districts/{cd.pk}/parts/", {}).status_code == 404
    )  # would empty it
    assert client.post(f"/voters/elections/county-districts/{cd.pk}/delete/").status_code == 404
    new = f"/voters/elections/{election.pk}/county-districts/new/"
    assert client.post(new, {"county": str(COUNTY), "name": "x", "seats": "1"}).status_code == 404
    assert CountyDistrict.objects.count() == 1
    assert CountyDistrictPart.objects.count() == 1


def test_county_staff_get_404_for_another_county(cast: Cast, election: Election) -> None:
    theirs = county_district_create(
        actor=cast.outsider, election=election, county=region(SIBLING_COUNTY), name="第一选区"
    )
    client = cast.client(cast.county_staff)
    assert client.get(f"/voters/elections/county-districts/{theirs.pk}/edit/").status_code == 404
    assert client.post(f"/voters/elections/county-districts/{theirs.pk}/delete/").status_code == 404
    new = f"/voters/elections/{election.pk}/county-districts/new/"
    assert client.get(f"{new}?county={SIBLING_COUNTY}").status_code == 404
    assert client.get(f"{new}?county=abc").status_code == 404
    # Asking the page for another county shows one's own.
    page = page_text(client.get(detail_url(election, SIBLING_COUNTY)))
    assert f'id="county-{COUNTY}"' in page
    assert f'id="county-{SIBLING_COUNTY}"' not in page


def test_the_selector_keeps_to_the_users_regions(cast: Cast, election: Election) -> None:
    mine = make(cast, election)
    set_parts(cast, mine, (DISTRICT, True, ""), (DISTRICT_3, True, ""))
    theirs = county_district_create(
        actor=cast.outsider, election=election, county=region(SIBLING_COUNTY), name="第一选区"
    )
    assert list(county_districts_for(cast.county_staff, election)) == [mine]
    assert list(county_districts_for(cast.outsider, election)) == [theirs]
    assert set(county_districts_for(cast.city_staff, election)) == {mine, theirs}
    assert list(county_districts_for(cast.nobody, election)) == []
    # A township sees where its districts go, and only its own districts in it.
    (seen,) = county_districts_for(cast.township_staff, election)
    assert [p.district_id for p in seen.visible_parts] == [DISTRICT]  # type: ignore[attr-defined]


# What the page checks


def test_the_page_lists_the_districts_not_yet_mapped(cast: Cast, election: Election) -> None:
    cd = make(cast, election)
    set_parts(cast, cd, (DISTRICT, True, ""), (DISTRICT_2, False, "某单位"))
    mapping = mapping_check(cast.county_staff, election, region(COUNTY))
    assert [d.code for d in mapping.unmapped] == [DISTRICT_3]
    assert [d.code for d in mapping.partial_only] == [DISTRICT_2]

    page = page_text(cast.client(cast.county_staff).get(detail_url(election)))
    assert "1 个乡级选区尚未划入县级选区" in page
    assert "一元街道" in page
    assert "只有部分单位划入县级选区" in page

    set_parts(cast, cd, (DISTRICT, True, ""), (DISTRICT_2, True, ""), (DISTRICT_3, True, ""))
    page = page_text(cast.client(cast.county_staff).get(detail_url(election)))
    assert "尚未划入县级选区" not in page
    assert "江岸区各乡级选区均已划入县级选区" in page


def test_viewers_see_the_mapping_without_the_forms(cast: Cast, election: Election) -> None:
    cd = make(cast, election)
    set_parts(cast, cd, (DISTRICT, True, ""))
    page = page_text(cast.client(cast.registrar).get(detail_url(election)))
    assert 'data-testid="county-districts"' in page
    assert "大智街道</span> 第一选区" in page
    assert 'data-testid="county-district-add"' not in page
    assert f"/voters/elections/county-districts/{cd.pk}/parts/" not in page
    managed = page_text(cast.client(cast.county_staff).get(detail_url(election)))
    assert 'data-testid="county-district-add"' in managed


def test_province_staff_switch_between_counties(cast: Cast, election: Election) -> None:
    client = cast.client(cast.province_staff)
    first = page_text(client.get(f"/voters/elections/{election.pk}/"))
    assert 'data-testid="county-switch"' in first
    assert f'id="county-{COUNTY}"' in first
    other = page_text(client.get(detail_url(election, SIBLING_COUNTY)))
    assert f'id="county-{SIBLING_COUNTY}"' in other
    assert "民族街道" in other


# Art 25: population per seat


def test_population_per_seat_warns_on_large_deviations(cast: Cast, election: Election) -> None:
    District.objects.filter(code=DISTRICT).update(population=8000)
    balance = seat_balance(cast.county_staff, region(COUNTY))
    # (8000 + 5000 + 5000) / 6 seats = 3000 per seat across 江岸区 (the summary line) …
    assert balance.mean == 3000
    rows = {r.district.code: r for r in balance.rows}
    # … but Art 25 compares within the township: 大智街道 has (8000 + 5000) / 4 = 3250.
    assert rows[DISTRICT].per_seat == 4000 and rows[DISTRICT].area_mean == 3250
    assert rows[DISTRICT].deviation_text == "+23.1%"
    assert rows[DISTRICT].warn
    assert rows[DISTRICT_2].deviation_text == "-23.1%"
    assert rows[DISTRICT_2].warn
    assert rows[DISTRICT_3].deviation_text == "+0.0%"  # alone in 一元街道
    assert not rows[DISTRICT_3].warn
    assert balance.warnings == 2
    assert DEVIATION_WARNING == 0.20

    page = page_text(cast.client(cast.county_staff).get(detail_url(election)))
    assert "2 个选区偏差超过 20%" in page
    assert "+23.1%" in page


def test_districts_without_a_population_are_left_out_of_the_mean(
    cast: Cast, election: Election
) -> None:
    District.objects.filter(code=DISTRICT_3).update(population=0)
    balance = seat_balance(cast.county_staff, region(COUNTY))
    assert balance.mean == 2500
    rows = {r.district.code: r for r in balance.rows}
    assert rows[DISTRICT_3].per_seat is None
    assert not rows[DISTRICT_3].warn
    assert balance.warnings == 0
