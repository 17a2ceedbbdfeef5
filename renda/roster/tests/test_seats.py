"""Seats and population (选举法 Art 25): the arithmetic, the areas, scoping, the page and its
workbook."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from python_calamine import CalamineWorkbook

from renda.core.testing import (
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    PROVINCE,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.regions.models import District, Region
from renda.roster.seats import (
    Area,
    Entry,
    SeatRow,
    balance,
    county_areas,
    county_summaries,
    township_areas,
)
from renda.voters.models import CountyDistrict, CountyDistrictPart, Election, Levels
from renda.voters.tests.conftest import RegisterVoter, election, register_voter  # noqa: F401

DISTRICT_4 = 420102002003  # 大智街道第三选区, added below


def test_balance_is_population_per_seat_against_the_area_mean() -> None:
    entries = [
        Entry(1, "A", seats=2, population=6000),  # 3000 a seat
        Entry(2, "B", seats=1, population=2000),  # 2000
        Entry(3, "C", seats=1, population=4000),  # 4000
        Entry(4, "D", seats=1, population=None),  # not entered: left out of the mean
    ]
    mean, rows = balance(entries, 0.20)
    assert mean == 3000  # 12,000 people ÷ 4 seats
    assert [r.per_seat for r in rows] == [3000, 2000, 4000, None]
    assert [r.deviation_text for r in rows] == ["+0.0%", "-33.3%", "+33.3%", ""]
    assert [r.warn for r in rows] == [False, True, True, False]
    assert balance(entries, 0.40)[1][2].warn is False
    assert balance([Entry(1, "A", seats=1, population=None)], 0.2)[0] is None


def test_exactly_at_the_threshold_is_no_warning() -> None:
    _, rows = balance([Entry(1, "A", 1, 1200), Entry(2, "B", 1, 800)], 0.20)
    assert [r.deviation for r in rows] == pytest.approx([0.2, -0.2])
    assert not any(r.warn for r in rows)


@pytest.fixture
def districts(cast: Cast) -> None:
    """大智街道: 第一选区 4000/2, 第二选区 2000/1, 第三选区 3000/1 (mean 9000/4 = 2250);
    一元街道: 第一选区 5000/2, alone (0%)."""
    District.objects.filter(code=DISTRICT).update(population=4000, seats=2)
    District.objects.filter(code=DISTRICT_2).update(population=2000, seats=1)
    District.objects.create(
        code=DISTRICT_4, township_id=TOWNSHIP, name="第三选区", seats=1, population=3000
    )
    District.objects.filter(code=DISTRICT_3).update(population=5000, seats=2)


def rows_of(areas: list[Area]) -> dict[int, SeatRow]:
    return {r.entry.code: r for a in areas for r in a.rows}


def test_township_areas_of_a_county(cast: Cast, districts: None) -> None:
    county = Region.objects.get(code=COUNTY)
    areas = township_areas(cast.county_staff, county)
    assert [a.region.code for a in areas] == [TOWNSHIP, TOWNSHIP_2]
    daizhi = areas[0]
    assert daizhi.mean == 2250 and daizhi.seats_total == 4 and daizhi.population_total == 9000
    rows = rows_of(areas)
    assert rows[DISTRICT].deviation_text == "-11.1%"  # 2000 a seat
    assert rows[DISTRICT_2].deviation_text == "-11.1%"
    assert rows[DISTRICT_4].deviation_text == "+33.3%" and rows[DISTRICT_4].warn
    assert rows[DISTRICT_3].deviation_text == "+0.0%"
    assert daizhi.warnings == 1 and areas[1].warnings == 0
    by_deviation = township_areas(cast.county_staff, county, sort="deviation")[0]
    assert [r.entry.code for r in by_deviation.rows] == [DISTRICT_4, DISTRICT, DISTRICT_2]
    only = township_areas(cast.county_staff, county, warnings_only=True)
    assert [a.region.code for a in only] == [TOWNSHIP]


def test_the_threshold_is_a_setting(cast: Cast, districts: None) -> None:
    county = Region.objects.get(code=COUNTY)
    with override_settings(RENDA_SEAT_DEVIATION_PERCENT=40):
        assert sum(a.warnings for a in township_areas(cast.county_staff, county)) == 0
    with override_settings(RENDA_SEAT_DEVIATION_PERCENT=10):
        assert sum(a.warnings for a in township_areas(cast.county_staff, county)) == 3


def test_a_registrar_sees_their_district_against_the_whole_township(
    cast: Cast, districts: None
) -> None:
    township = Region.objects.get(code=TOWNSHIP)
    (area,) = township_areas(cast.registrar, township)
    assert [r.entry.code for r in area.rows] == [DISTRICT]
    assert area.mean == 2250  # the township's mean, all three districts counted


def test_county_level_districts(cast: Cast, districts: None, election: Election) -> None:  # noqa: F811
    """县级选区: the population of the township districts taken whole; one taken in part
    leaves it unknown and out of the county's mean."""
    assert election.levels == Levels.BOTH
    whole = CountyDistrict.objects.create(election=election, county_id=COUNTY, name="一", seats=2)
    CountyDistrictPart.objects.create(county_district=whole, district_id=DISTRICT)
    CountyDistrictPart.objects.create(county_district=whole, district_id=DISTRICT_2)
    other = CountyDistrict.objects.create(election=election, county_id=COUNTY, name="二", seats=2)
    CountyDistrictPart.objects.create(county_district=other, district_id=DISTRICT_3)
    part = CountyDistrict.objects.create(election=election, county_id=COUNTY, name="三", seats=1)
    CountyDistrictPart.objects.create(
        county_district=part, district_id=DISTRICT_4, whole=False, note="某厂"
    )
    (area,) = county_areas(cast.county_staff, Region.objects.get(code=COUNTY), election)
    rows = {r.entry.name: r for r in area.rows}
    assert rows["一"].entry.population == 6000 and rows["二"].entry.population == 5000
    assert rows["三"].entry.population is None and rows["三"].entry.note == "partial"
    assert area.mean == 2750  # 11,000 ÷ 4
    assert rows["一"].deviation_text == "+9.1%" and rows["二"].deviation_text == "-9.1%"
    # a township's page shows its county's mapping; another county's staff sees none of it
    assert county_areas(cast.township_staff, Region.objects.get(code=TOWNSHIP), election)
    assert county_areas(cast.outsider, Region.objects.get(code=420103000000), election) == []


def test_a_province_sees_counties_in_one_line_each(cast: Cast, districts: None) -> None:
    (jiangan, jianghan) = county_summaries(cast.province_staff, Region.objects.get(code=PROVINCE))
    assert jiangan.county.code == COUNTY
    assert (jiangan.townships, jiangan.districts, jiangan.warnings) == (2, 4, 1)
    assert jiangan.spread_text == "33.3%"
    assert jianghan.unknown == 0 and jianghan.warnings == 0  # 5000 / 2 alone
    assert county_summaries(cast.city_staff, Region.objects.get(code=PROVINCE))  # via 武汉市


# --- the page --------------------------------------------------------------------------------


def test_the_page_lists_areas_and_warnings(
    cast: Cast,
    districts: None,
    election: Election,  # noqa: F811
    register_voter: RegisterVoter,  # noqa: F811
) -> None:
    register_voter("张三")  # counted in the election's tally for 第一选区
    response = cast.client(cast.county_staff).get(f"/roster/seats/{COUNTY}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "大智街道" in html and "一元街道" in html
    assert "9,000 人 ÷ 4 名 = 平均每名代表 2,250 人" in html
    assert "+33.3%" in html and "人口偏多" in html
    assert "已登记选民" in html
    assert response.context["township_areas"][0].rows[0].entry.registered == 1
    assert "偏差超过 20%" in html


def test_the_page_sorts_and_filters(cast: Cast, districts: None) -> None:
    client = cast.client(cast.county_staff)
    page = client.get(f"/roster/seats/{COUNTY}/?sort=deviation&warn=1&election=none")
    (area,) = page.context["township_areas"]
    assert area.region.code == TOWNSHIP
    assert area.rows[0].entry.code == DISTRICT_4
    assert "已登记选民" not in page.content.decode()  # no election chosen
    odd = client.get(f"/roster/seats/{COUNTY}/?sort=drop%20table&election=x")
    assert odd.status_code == 200 and odd.context["sort"] == "code"


def test_a_city_page_summarises_counties(cast: Cast, districts: None) -> None:
    response = cast.client(cast.city_staff).get("/roster/seats/420100000000/")
    assert response.status_code == 200
    assert [s.county.name for s in response.context["summaries"]] == ["江岸区", "江汉区"]
    assert f"/roster/seats/{COUNTY}/" in response.content.decode()


def test_scoping(cast: Cast, districts: None) -> None:
    assert cast.client(cast.outsider).get(f"/roster/seats/{COUNTY}/").status_code == 404
    assert cast.client(cast.outsider).get(f"/roster/seats/{TOWNSHIP}/").status_code == 404
    assert cast.client(cast.deputy).get(f"/roster/seats/{COUNTY}/").status_code == 404
    assert cast.client(cast.registrar).get(f"/roster/seats/{COUNTY}/").status_code == 200
    registrar = cast.client(cast.registrar).get(f"/roster/seats/{TOWNSHIP}/")
    assert [r.entry.code for r in registrar.context["township_areas"][0].rows] == [DISTRICT]
    assert cast.client(cast.outsider).get(f"/roster/seats/{COUNTY}/export.xlsx").status_code == 404
    assert cast.client(cast.county_staff).get("/roster/seats/999999999999/").status_code == 404
    anonymous = cast.client(cast.nobody)
    anonymous.logout()
    assert anonymous.get(f"/roster/seats/{COUNTY}/").status_code == 302


def test_index_opens_the_users_own_region(cast: Cast, districts: None) -> None:
    county = cast.client(cast.county_staff).get("/roster/seats/")
    assert county["Location"] == f"/roster/seats/{COUNTY}/"
    registrar = cast.client(cast.registrar).get("/roster/seats/")
    assert registrar["Location"] == f"/roster/seats/{TOWNSHIP}/"
    assert cast.client(cast.nobody).get("/roster/seats/").status_code == 404


def test_the_workbook(cast: Cast, districts: None) -> None:
    District.objects.filter(code=DISTRICT_2).update(name="=HYPERLINK(1)")
    response = cast.client(cast.county_staff).get(f"/roster/seats/{COUNTY}/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["层级", "行政区域", "选区"]
    by_name = {(row[1], row[2]): row for row in rows[1:]}
    third = by_name["大智街道", "第三选区"]
    assert third[7] == "高于平均 33.3%" and third[9] == "偏差过大"
    assert by_name["大智街道", "第一选区"][7] == "低于平均 11.1%"
    assert ("大智街道", "'=HYPERLINK(1)") in by_name  # formulas are escaped
    assert len(rows) == 1 + 4
