"""Browsing regions: each person lands on their own place and finds only what is theirs."""

from __future__ import annotations

import pytest

from renda.core.testing import (
    CITY,
    COUNTY,
    DISTRICT,
    DISTRICT_2,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.core.tests.helpers import page_text


@pytest.mark.parametrize(
    ("person", "landing"),
    [
        ("province_staff", f"/regions/{PROVINCE}/"),
        ("city_staff", f"/regions/{CITY}/"),
        ("county_staff", f"/regions/{COUNTY}/"),
        ("township_staff", f"/regions/{TOWNSHIP}/"),
        ("registrar", f"/regions/districts/{DISTRICT}/"),
        ("deputy", f"/regions/{COUNTY}/"),
        ("outsider", f"/regions/{SIBLING_COUNTY}/"),
    ],
)
def test_the_regions_menu_opens_ones_own_place(cast: Cast, person: str, landing: str) -> None:
    client = cast.client(getattr(cast, person))
    response = client.get("/regions/")
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize("person", ["nobody", "auditadmin"])
def test_people_without_a_region_have_no_regions_page(cast: Cast, person: str) -> None:
    assert cast.client(getattr(cast, person)).get("/regions/").status_code == 404


def test_the_county_page_lists_its_townships_and_not_its_neighbours(cast: Cast) -> None:
    text = page_text(cast.client(cast.county_staff).get(f"/regions/{COUNTY}/"))
    assert f'href="/regions/{TOWNSHIP}/"' in text
    assert f'href="/regions/{TOWNSHIP_2}/"' in text
    assert "420102002" in text
    assert f'href="/regions/{SIBLING_COUNTY}/"' not in text


def test_the_city_page_lists_all_its_counties(cast: Cast) -> None:
    city = page_text(cast.client(cast.city_staff).get(f"/regions/{CITY}/"))
    assert f'href="/regions/{COUNTY}/"' in city
    assert f'href="/regions/{SIBLING_COUNTY}/"' in city


def test_the_township_page_lists_its_districts(cast: Cast) -> None:
    text = page_text(cast.client(cast.township_staff).get(f"/regions/{TOWNSHIP}/"))
    assert f'href="/regions/districts/{DISTRICT}/"' in text
    assert f'href="/regions/districts/{DISTRICT_2}/"' in text
    assert f"/regions/{TOWNSHIP}/districts/new/" in text  # the manager's button


def test_a_deputy_sees_regions_but_not_districts(cast: Cast) -> None:
    client = cast.client(cast.deputy)
    assert client.get(f"/regions/{COUNTY}/").status_code == 200
    assert client.get(f"/regions/districts/{DISTRICT}/").status_code == 404


@pytest.mark.parametrize("query", ["大智", "420102002", "第一选区", "420102002001"])
def test_search_finds_places_in_scope(cast: Cast, query: str) -> None:
    response = cast.client(cast.county_staff).get("/regions/search/", {"q": query})
    assert response.status_code == 200
    assert "没有找到匹配的区划或选区" not in page_text(response)


@pytest.mark.parametrize("query", ["大智", "江岸", "420102", "420102002001"])
def test_search_finds_nothing_outside_scope(cast: Cast, query: str) -> None:
    response = cast.client(cast.outsider).get("/regions/search/", {"q": query})
    text = page_text(response)
    assert "没有找到匹配的区划或选区" in text
    assert "420102" not in text


def test_search_by_sibling_name_finds_only_own_district(cast: Cast) -> None:
    text = page_text(cast.client(cast.outsider).get("/regions/search/", {"q": "第一选区"}))
    assert "420103001001" in text
    assert "420102002001" not in text
    assert "420102003001" not in text
