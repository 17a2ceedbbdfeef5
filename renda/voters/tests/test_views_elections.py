"""Elections through the pages: created with the law's defaults, their deadlines, holidays."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, SIBLING_COUNTY, Cast
from renda.core.tests.helpers import page_text
from renda.voters.models import Election, HolidayOverride
from renda.voters.services.elections import election_create
from renda.voters.views.elections import deadlines

pytestmark = pytest.mark.django_db

DAY = date(2027, 11, 25)  # a Thursday


def form_data(**overrides: Any) -> dict[str, Any]:
    return {
        "region": str(COUNTY),
        "code": "jiangan-2027",
        "name": "江岸区2027年区乡两级人大换届选举",
        "levels": "both",
        "election_day": DAY.isoformat(),
        "registration_opens": "2027-09-01",
        "registration_closes": "",
        "publication_deadline": "",
        "appeal_days": "5",
        "decision_days": "3",
        "court_days_before": "5",
        "feb29_rule": "feb28",
        "hmt_policy": "review",
        "shift_holidays": "on",
        "max_proxies": "3",
        **overrides,
    }


@pytest.fixture
def jiangan(cast: Cast) -> Election:
    """An election of 江岸区 only: the sibling county's staff must not see it."""
    from renda.regions.models import Region

    return election_create(
        actor=cast.county_staff,
        region=Region.objects.get(code=COUNTY),
        code="jiangan-2027",
        name="江岸区2027年换届选举",
        election_day=DAY,
        registration_opens=date(2027, 9, 1),
    )


def test_the_create_form_starts_from_the_law(cast: Cast) -> None:
    response = cast.client(cast.county_staff).get("/voters/elections/new/")
    text = page_text(response)
    day = timezone.localdate() + timedelta(days=60)
    assert f'name="election_day" value="{day.isoformat()}"' in text
    deadline = (day - timedelta(days=20)).isoformat()
    assert f'name="publication_deadline" value="{deadline}"' in text
    assert f'<option value="{COUNTY}" selected>江岸区</option>' in text
    for setting in ("2月29日出生者满周岁日", "港澳台居民居住证持有人", "每人最多受托人数"):
        assert setting in text


def test_county_staff_create_an_election_with_default_dates(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post("/voters/elections/new/", form_data())
    election = Election.objects.get(code="jiangan-2027")
    assert response.status_code == 302
    assert response["Location"] == f"/voters/elections/{election.pk}/"
    assert election.publication_deadline == DAY - timedelta(days=20)
    assert election.registration_closes == DAY - timedelta(days=1)
    assert (election.region_id, election.created_by) == (COUNTY, cast.county_staff)
    assert AuditEvent.objects.filter(action="election.create", region_code=COUNTY).exists()


def test_bad_dates_and_a_taken_code_are_explained(cast: Cast, jiangan: Election) -> None:
    client = cast.client(cast.county_staff)
    taken = page_text(client.post("/voters/elections/new/", form_data()))
    assert "选举代码“jiangan-2027”已被使用" in taken
    late = form_data(code="x-2027", publication_deadline=DAY.isoformat())
    assert "名单公布截止日必须早于选举日" in page_text(client.post("/voters/elections/new/", late))
    assert Election.objects.count() == 1


def test_a_registrar_may_read_but_not_create(cast: Cast, jiangan: Election) -> None:
    client = cast.client(cast.registrar)
    assert "江岸区2027年换届选举" in page_text(client.get("/voters/elections/"))
    assert client.get("/voters/elections/new/").status_code == 404
    assert client.post("/voters/elections/new/", form_data(code="y")).status_code == 404
    assert client.get(f"/voters/elections/{jiangan.pk}/edit/").status_code == 404


def test_the_detail_page_counts_the_deadlines(cast: Cast, jiangan: Election) -> None:
    text = page_text(cast.client(cast.registrar).get(f"/voters/elections/{jiangan.pk}/"))
    # Posted on 2027-11-05 (a Friday); five days later is Wednesday 2027-11-10; the committee
    # then has three days: Saturday 2027-11-13 moves to Monday 2027-11-15.
    for day in ("2027-11-05", "2027-11-10", "2027-11-15", "2027-11-20", "2027-11-25"):
        assert day in text, day
    assert "民事诉讼法第一百八十八条" in text


def test_a_holiday_override_moves_a_deadline(cast: Cast, jiangan: Election) -> None:
    client = cast.client(cast.county_staff)
    response = client.post(
        "/voters/holidays/", {"day": "2027-11-10", "is_workday": "0", "note": "地方假日"}
    )
    assert response.status_code == 302
    assert HolidayOverride.objects.get(day=date(2027, 11, 10)).is_workday is False
    assert "地方假日" in page_text(client.get("/voters/holidays/"))
    appeal_end = deadlines(jiangan)[3]
    assert appeal_end.day == date(2027, 11, 11)
    registrar = cast.client(cast.registrar)
    assert registrar.get("/voters/holidays/").status_code == 200
    refused = registrar.post("/voters/holidays/", {"day": "2027-11-11", "is_workday": "0"})
    assert refused.status_code == 404


def test_county_staff_edit_the_settings(cast: Cast, jiangan: Election) -> None:
    data = form_data(publication_deadline="2027-11-01", max_proxies="2")
    del data["region"], data["code"]
    response = cast.client(cast.county_staff).post(f"/voters/elections/{jiangan.pk}/edit/", data)
    assert response.status_code == 302
    jiangan.refresh_from_db()
    assert (jiangan.publication_deadline, jiangan.max_proxies) == (date(2027, 11, 1), 2)
    event = AuditEvent.objects.get(action="election.update")
    assert "publication_deadline" in event.summary["changed"]


@pytest.mark.parametrize("who", ["outsider", "deputy", "nobody"])
def test_others_get_404_on_every_election_url(cast: Cast, jiangan: Election, who: str) -> None:
    client = cast.client(getattr(cast, who))
    assert client.get(f"/voters/elections/{jiangan.pk}/").status_code == 404
    assert client.get(f"/voters/elections/{jiangan.pk}/edit/").status_code == 404
    assert client.post(f"/voters/elections/{jiangan.pk}/edit/", form_data()).status_code == 404
    if who == "outsider":  # county staff of 江汉区 may set up their own elections only
        page = page_text(client.get("/voters/elections/new/"))
        assert f'value="{SIBLING_COUNTY}"' in page and f'value="{COUNTY}"' not in page
        assert "江岸区2027年换届选举" not in page_text(client.get("/voters/elections/"))
