"""The roster's pages over HTTP: what each role sees, does, and may not see (404)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import DjangoCaptureOnCommitCallbacks

from renda.core.testing import (
    CITY,
    DISTRICT,
    DISTRICT_2,
    DISTRICT_3,
    PROVINCE,
    SIBLING_COUNTY,
    TOWNSHIP,
    TOWNSHIP_2,
    Cast,
)
from renda.imports.models import ImportRun
from renda.roster.models import BaseRecord, DistrictMapping, RecordStatus, ReviewItem
from renda.roster.tests.conftest import LoadSheet, make_id, roster_rows
from renda.voters import pii
from renda.voters.models import Election, Voter
from renda.voters.tests.conftest import RegisterVoter
from renda.voters.tests.importing import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(cast: Cast, load_sheet: LoadSheet) -> list[BaseRecord]:
    load_sheet(
        roster_rows(
            *[[make_id(), f"居民{i}", "", "汉族", "大智街道", "三阳社区", ""] for i in range(3)],
            [make_id(), "一元居民", "", "汉族", "一元街道", "车站社区", ""],
        )
    )
    BaseRecord.objects.filter(township_code=TOWNSHIP).update(district_id=DISTRICT)
    BaseRecord.objects.filter(township_code=TOWNSHIP_2).update(district_id=DISTRICT_3)
    return list(BaseRecord.objects.order_by("id"))


def test_a_registrar_sees_their_expected_list_with_masked_numbers(
    cast: Cast, roster: list[BaseRecord]
) -> None:
    response = cast.client(cast.registrar).get("/roster/expected/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "居民0" in page and "一元居民" not in page
    number = pii.reveal(roster[0].id_cipher or b"")
    assert number not in page and number[:4] + "*" in page


def test_confirming_on_the_page_registers_the_selected_people(
    cast: Cast, election: Election, roster: list[BaseRecord]
) -> None:
    client = cast.client(cast.registrar)
    response = client.post(
        "/roster/expected/",
        {
            "district": DISTRICT,
            "action": "confirm_selected",
            "record": [roster[0].pk, roster[1].pk],
            "election": election.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "已确认 2 人" in response.content.decode()
    assert set(Voter.objects.values_list("name", flat=True)) == {"居民0", "居民1"}
    response = client.post(
        "/roster/expected/",
        {"district": DISTRICT, "action": "confirm_all", "election": election.pk},
        follow=True,
    )
    assert "已确认 1 人" in response.content.decode()
    assert not BaseRecord.objects.filter(
        district_id=DISTRICT, status=RecordStatus.EXPECTED
    ).exists()


def test_exceptions_on_the_page(cast: Cast, roster: list[BaseRecord]) -> None:
    client = cast.client(cast.registrar)
    response = client.post(
        "/roster/expected/",
        {"district": DISTRICT, "action": "exception", "record": [roster[0].pk], "reason": "other"},
        follow=True,
    )
    assert "选择“其他”时请填写说明" in response.content.decode()
    client.post(
        "/roster/expected/",
        {
            "district": DISTRICT,
            "action": "exception",
            "record": [roster[0].pk],
            "reason": "elsewhere",
            "note": "在外务工",
        },
    )
    roster[0].refresh_from_db()
    assert (roster[0].status, roster[0].note) == (RecordStatus.EXCEPTION, "在外务工")


def test_a_sibling_districts_list_and_items_are_not_there(
    cast: Cast, election: Election, roster: list[BaseRecord], register_voter: RegisterVoter
) -> None:
    registrar = cast.client(cast.registrar)
    assert registrar.get(f"/roster/expected/?district={DISTRICT_3}").status_code == 404
    # and posting to it changes nothing
    response = registrar.post(
        "/roster/expected/", {"district": DISTRICT_3, "action": "confirm_all"}
    )
    assert response.status_code == 404
    assert not Voter.objects.exists()
    other = register_voter("甲", district=DISTRICT_3, actor=cast.county_staff, id_number=make_id())
    item = ReviewItem.objects.create(
        district_id=DISTRICT_3, kind="deceased", voter=other, suggested_action="remove_deceased"
    )
    township = cast.client(cast.township_staff)  # 大智街道: 一元街道 is its sibling
    assert township.get(f"/roster/review/{item.pk}/").status_code == 404
    assert "甲" not in township.get("/roster/review/").content.decode()
    assert township.get(f"/roster/expected/?district={DISTRICT_3}").status_code == 404
    assert cast.client(cast.county_staff).get(f"/roster/review/{item.pk}/").status_code == 200
    outsider = cast.client(cast.outsider)
    assert outsider.get(f"/roster/expected/?district={DISTRICT}").status_code == 404
    assert outsider.get(f"/roster/report/?region={TOWNSHIP}").status_code == 404
    assert outsider.get(f"/roster/report/missing/?region={TOWNSHIP}").status_code == 404
    assert outsider.get(f"/roster/mapping/?township={TOWNSHIP}").status_code == 404


def test_review_item_page_applies_with_evidence(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    voter = register_voter("张三", id_number=make_id())
    item = ReviewItem.objects.create(
        district_id=DISTRICT, kind="deceased", voter=voter, suggested_action="remove_deceased"
    )
    client = cast.client(cast.registrar)
    page = client.get(f"/roster/review/{item.pk}/").content.decode()
    assert "以死亡为由除名" in page and pii.reveal(voter.id_cipher) not in page
    response = client.post(
        f"/roster/review/{item.pk}/", {"action": "apply", "evidence": "", "election": election.pk}
    )
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    client.post(
        f"/roster/review/{item.pk}/",
        {"action": "apply", "evidence": "死亡证明 12", "election": election.pk},
    )
    voter.refresh_from_db()
    item.refresh_from_db()
    assert voter.status == "removed" and item.status == "applied"


def test_township_staff_edit_the_mapping_and_records_follow(
    cast: Cast, election: Election, roster: list[BaseRecord]
) -> None:
    BaseRecord.objects.update(district_id=None)
    client = cast.client(cast.township_staff)
    page = client.get("/roster/mapping/").content.decode()
    assert "三阳社区" in page and "车站社区" not in page  # only their township
    client.post(
        "/roster/mapping/",
        {"township": TOWNSHIP, "action": "villages", "v:三阳社区": str(DISTRICT_2)},
    )
    assert set(
        BaseRecord.objects.filter(township_code=TOWNSHIP).values_list("district_id", flat=True)
    ) == {DISTRICT_2}
    response = client.post(
        "/roster/mapping/",
        {"township": TOWNSHIP, "action": "address", "value": "50%", "district": str(DISTRICT)},
        follow=True,
    )
    assert "不能包含" in response.content.decode()
    client.post(
        "/roster/mapping/",
        {"township": TOWNSHIP, "action": "address", "value": "三阳路", "district": str(DISTRICT)},
    )
    rule = DistrictMapping.objects.get(kind="address")
    client.post("/roster/mapping/", {"township": TOWNSHIP, "action": "delete", "rule": rule.pk})
    assert not DistrictMapping.objects.filter(kind="address").exists()
    assert cast.client(cast.registrar).get("/roster/mapping/").status_code == 404


def test_upload_page_starts_an_import_for_city_staff_only(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    data = files.xlsx({"名单": roster_rows([make_id(), "张三", "", "汉族", "大智街道", "", ""])})
    client = cast.client(cast.city_staff)
    assert client.get("/roster/upload/").status_code == 200
    missing_election = client.post(
        "/roster/upload/",
        {"source": "household", "region": CITY, "file": SimpleUploadedFile("a.xlsx", data)},
    )
    assert "须选择换届选举" in missing_election.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/roster/upload/",
            {
                "source": "household",
                "region": CITY,
                "election": election.pk,
                "file": SimpleUploadedFile("a.xlsx", data),
            },
        )
    run = ImportRun.objects.get()
    assert response["Location"] == f"/imports/{run.pk}/"
    run.refresh_from_db()
    assert run.state == "succeeded" and BaseRecord.objects.count() == 1
    assert cast.client(cast.county_staff).get("/roster/upload/").status_code == 404
    other_city = client.post(
        "/roster/upload/",
        {
            "source": "deceased",
            "region": SIBLING_COUNTY + 10**8 * 4,  # 宜昌市西陵区: outside 武汉市
            "file": SimpleUploadedFile("a.xlsx", data),
        },
    )
    assert other_city.status_code == 200 and ImportRun.objects.count() == 1


def test_report_pages_roll_up_and_drill_down(
    cast: Cast, election: Election, roster: list[BaseRecord]
) -> None:
    client = cast.client(cast.province_staff)
    page = client.get(f"/roster/report/?region={PROVINCE}").content.decode()
    assert "武汉市" in page and "漏登" in page
    township = client.get(f"/roster/report/?region={TOWNSHIP}").content.decode()
    assert "第一选区" in township
    missing = client.get(f"/roster/report/missing/?region={TOWNSHIP}").content.decode()
    assert "居民0" in missing and "一元居民" not in missing
    for section in ("wrong", "elsewhere", "conflicts", "unassigned"):
        assert client.get(f"/roster/report/{section}/?region={TOWNSHIP}").status_code == 200
    assert client.get(f"/roster/report/nonsense/?region={TOWNSHIP}").status_code == 404
    assert cast.client(cast.registrar).get(f"/roster/report/?region={TOWNSHIP}").status_code == 404
    assert cast.client(cast.registrar).get(f"/roster/report/?region={DISTRICT}").status_code == 200
    run = client.post("/roster/report/run/", {"region": PROVINCE}, follow=True)
    assert "校验比对完成" in run.content.decode()
    assert (
        cast.client(cast.county_staff).post("/roster/report/run/", {"region": TOWNSHIP}).status_code
        == 404
    )


def test_overview_lists_batches(cast: Cast, roster: list[BaseRecord]) -> None:
    page = cast.client(cast.county_staff).get("/roster/").content.decode()
    assert "公安户籍" in page and "基础数据.xlsx" in page
    assert cast.client(cast.nobody).get("/roster/").status_code == 404
