"""Township and county staff set up, edit and remove electoral districts through the pages."""

from __future__ import annotations

import pytest

from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, DISTRICT, DISTRICT_2, TOWNSHIP, TOWNSHIP_2, Cast
from renda.core.tests.helpers import page_text
from renda.regions import services
from renda.regions.codes import Level
from renda.regions.models import District, Region

EMPTY_TOWNSHIP = 420102004000  # 球场街道, no districts yet


@pytest.fixture
def empty_township(cast: Cast) -> Region:
    return Region.objects.create(
        code=EMPTY_TOWNSHIP, name="球场街道", level=Level.TOWNSHIP, parent_id=COUNTY
    )


def _form(name: str = "第三选区", seats: int = 2, **extra: object) -> dict[str, object]:
    return {"name": name, "seats": seats, "population": 4800, "kind": "residential", **extra}


# --- create ----------------------------------------------------------------------------------


def test_county_staff_creates_the_first_district_of_a_township(
    cast: Cast, empty_township: Region
) -> None:
    response = cast.client(cast.county_staff).post(
        f"/regions/{EMPTY_TOWNSHIP}/districts/new/", _form("第一选区")
    )
    assert response.status_code == 302
    district = District.objects.get(township=empty_township)
    assert district.code == EMPTY_TOWNSHIP + 1
    assert (district.name, district.seats, district.population) == ("第一选区", 2, 4800)
    event = AuditEvent.objects.get(action="district.create")
    assert (event.region_code, event.actor) == (EMPTY_TOWNSHIP + 1, cast.county_staff)


def test_township_staff_creates_a_district_with_the_next_sequence(cast: Cast) -> None:
    response = cast.client(cast.township_staff).post(f"/regions/{TOWNSHIP}/districts/new/", _form())
    assert response.status_code == 302
    assert response["Location"] == f"/regions/{TOWNSHIP}/"
    created = District.objects.get(name="第三选区", township_id=TOWNSHIP)
    assert created.code == DISTRICT_2 + 1 == TOWNSHIP + 3
    event = AuditEvent.objects.get(action="district.create")
    assert event.region_code == created.code
    assert event.actor == cast.township_staff
    assert event.target_id == str(created.code)
    assert event.summary["after"]["name"] == "第三选区"


def test_county_staff_may_choose_the_sequence(cast: Cast) -> None:
    client = cast.client(cast.county_staff)
    client.post(f"/regions/{TOWNSHIP}/districts/new/", _form(sequence=17))
    assert District.objects.get(name="第三选区").code == TOWNSHIP + 17


def test_a_taken_sequence_is_refused_in_chinese(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(
        f"/regions/{TOWNSHIP}/districts/new/", _form(sequence=2)
    )
    assert response.status_code == 200
    assert "选区编号 002 已被占用" in page_text(response)
    assert not District.objects.filter(name="第三选区").exists()


@pytest.mark.parametrize("seats", [0, 4, -1])
def test_seats_outside_one_to_three_are_refused_and_nothing_is_written(
    cast: Cast, seats: int
) -> None:
    before = District.objects.count()
    response = cast.client(cast.township_staff).post(
        f"/regions/{TOWNSHIP}/districts/new/", _form(seats=seats)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "确保该值" in text  # Django's own Chinese message for the out-of-range number
    assert District.objects.count() == before
    assert not AuditEvent.objects.filter(action__startswith="district.").exists()


@pytest.mark.parametrize("seats", [0, 4])
def test_the_service_refuses_bad_seats_too(cast: Cast, seats: int) -> None:
    township = Region.objects.get(code=TOWNSHIP)
    with pytest.raises(ServiceError, match="1 至 3 名"):
        services.district_create(
            actor=cast.township_staff, township=township, name="第三选区", seats=seats
        )
    assert not District.objects.filter(name="第三选区").exists()


def test_a_duplicate_name_in_the_township_is_refused_in_chinese(cast: Cast) -> None:
    before = District.objects.count()
    response = cast.client(cast.township_staff).post(
        f"/regions/{TOWNSHIP}/districts/new/", _form("第一选区")
    )
    assert response.status_code == 200
    assert "同一乡镇内已有名为“第一选区”的选区" in page_text(response)
    assert District.objects.count() == before
    assert not AuditEvent.objects.filter(action="district.create").exists()


def test_the_same_name_in_another_township_is_fine(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(
        f"/regions/{TOWNSHIP_2}/districts/new/", _form("第二选区")
    )
    assert response.status_code == 302
    assert District.objects.filter(township_id=TOWNSHIP_2, name="第二选区").exists()


def test_districts_are_set_up_only_under_a_township(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(f"/regions/{COUNTY}/districts/new/", _form())
    assert response.status_code == 404
    assert not District.objects.filter(name="第三选区").exists()


# --- edit ------------------------------------------------------------------------------------


def test_township_staff_edits_a_district(cast: Cast) -> None:
    response = cast.client(cast.township_staff).post(
        f"/regions/districts/{DISTRICT}/edit/", _form("大智一选区", seats=3)
    )
    assert response.status_code == 302
    district = District.objects.get(code=DISTRICT)
    assert (district.name, district.seats, district.population) == ("大智一选区", 3, 4800)
    event = AuditEvent.objects.get(action="district.update")
    assert event.region_code == DISTRICT
    assert event.summary["changed"]["name"] == ["第一选区", "大智一选区"]
    assert event.summary["changed"]["seats"] == [2, 3]


def test_renaming_onto_a_sibling_name_is_refused(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(
        f"/regions/districts/{DISTRICT_2}/edit/", _form("第一选区")
    )
    assert response.status_code == 200
    assert "同一乡镇内已有名为“第一选区”的选区" in page_text(response)
    assert District.objects.get(code=DISTRICT_2).name == "第二选区"
    assert not AuditEvent.objects.filter(action="district.update").exists()


def test_editing_seats_out_of_range_writes_nothing(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(
        f"/regions/districts/{DISTRICT}/edit/", _form("第一选区", seats=5)
    )
    assert response.status_code == 200
    assert District.objects.get(code=DISTRICT).seats == 2
    assert not AuditEvent.objects.filter(action="district.update").exists()


# --- delete ----------------------------------------------------------------------------------


def test_county_staff_deletes_an_unused_district(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(f"/regions/districts/{DISTRICT_2}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/regions/{TOWNSHIP}/"
    assert not District.objects.filter(code=DISTRICT_2).exists()
    event = AuditEvent.objects.get(action="district.delete")
    assert event.region_code == DISTRICT_2
    assert event.summary["before"]["name"] == "第二选区"


def test_a_district_with_a_registrar_cannot_be_deleted(cast: Cast) -> None:
    client = cast.client(cast.county_staff)
    response = client.post(f"/regions/districts/{DISTRICT}/delete/", follow=True)
    assert "该选区已有账号或选民等数据关联，不能删除" in page_text(response)
    assert District.objects.filter(code=DISTRICT).exists()
    assert not AuditEvent.objects.filter(action="district.delete").exists()


def test_delete_needs_post(cast: Cast) -> None:
    response = cast.client(cast.county_staff).get(f"/regions/districts/{DISTRICT_2}/delete/")
    assert response.status_code == 405
    assert District.objects.filter(code=DISTRICT_2).exists()


# --- who may not -----------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["registrar", "deputy", "city_staff", "committee", "outsider"])
def test_others_cannot_manage_districts(cast: Cast, person: str) -> None:
    client = cast.client(getattr(cast, person))
    assert client.get(f"/regions/{TOWNSHIP}/districts/new/").status_code == 404
    assert client.post(f"/regions/{TOWNSHIP}/districts/new/", _form()).status_code == 404
    assert client.get(f"/regions/districts/{DISTRICT}/edit/").status_code == 404
    assert client.post(f"/regions/districts/{DISTRICT}/edit/", _form("改名")).status_code == 404
    assert client.post(f"/regions/districts/{DISTRICT_2}/delete/").status_code == 404
    assert District.objects.count() == 4
    assert District.objects.get(code=DISTRICT).name == "第一选区"
    assert not AuditEvent.objects.filter(action__startswith="district.").exists()


def test_township_staff_cannot_manage_the_neighbouring_township(cast: Cast) -> None:
    client = cast.client(cast.township_staff)
    assert client.post(f"/regions/{TOWNSHIP_2}/districts/new/", _form()).status_code == 404
    with pytest.raises(ServiceError, match="无权"):
        services.district_create(
            actor=cast.township_staff, township=Region.objects.get(code=TOWNSHIP_2), name="新选区"
        )
    assert not District.objects.filter(township_id=TOWNSHIP_2, name__in=["第三选区", "新选区"])


def test_the_manage_buttons_show_only_to_managers(cast: Cast) -> None:
    manager = page_text(cast.client(cast.township_staff).get(f"/regions/districts/{DISTRICT}/"))
    viewer = page_text(cast.client(cast.registrar).get(f"/regions/districts/{DISTRICT}/"))
    edit_link = f"/regions/districts/{DISTRICT}/edit/"
    assert edit_link in manager
    assert edit_link not in viewer
