"""GET /api/v1/stats/{region}: the report table's figures as JSON, scoped like the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renda.accounts.models import User
from renda.api.services import token_create
from renda.core.testing import COUNTY, DISTRICT, TOWNSHIP_2, Cast
from renda.voters.models import Election

pytestmark = pytest.mark.django_db


def call(user: User, path: str, **params: Any) -> tuple[int, Any]:
    _row, token = token_create(actor=user, name="统计接口测试")
    response = Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")
    return response.status_code, response.json()


def test_the_county_table_as_json(cast: Cast, tallies: Election) -> None:
    status, body = call(cast.county_staff, "/api/v1/stats/420102", election=tallies.code)
    assert status == 200
    assert body["election"]["code"] == tallies.code
    assert body["region"] == {"code": "420102", "name": "江岸区", "level": 3, "level_name": "县级"}
    total = body["total"]
    assert (total["expected"], total["listed"], total["rate"]) == (150, 127, 84.67)
    assert (total["districts"], total["not_started"], total["newly_18"]) == (3, 1, 14)
    rows = {r["name"]: r for r in body["rows"]}
    assert rows["大智街道"]["code"] == "420102002"
    assert rows["大智街道"]["figures"]["mobile_box"] == 7
    assert rows["一元街道"]["figures"]["rate"] == 90.0
    # the same figures with the election left to its default, and by the 12-digit code
    assert call(cast.county_staff, f"/api/v1/stats/{COUNTY}")[1]["total"] == total


def test_a_district_and_no_rate_without_base_data(cast: Cast, tallies: Election) -> None:
    status, body = call(cast.registrar, f"/api/v1/stats/{DISTRICT}")
    assert status == 200 and body["total"]["listed"] == 82
    status, body = call(cast.township_staff, "/api/v1/stats/420102002002")
    assert status == 200 and body["total"]["rate"] is None


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("township_staff", f"/api/v1/stats/{TOWNSHIP_2}"),  # the sibling township
        ("township_staff", "/api/v1/stats/420102"),
        ("outsider", "/api/v1/stats/420102"),
        ("registrar", "/api/v1/stats/420102002002"),
        ("deputy", "/api/v1/stats/420102"),
        ("county_staff", "/api/v1/stats/4201x2"),
        ("county_staff", "/api/v1/stats/999999"),
    ],
)
def test_outside_the_scope_is_404(cast: Cast, tallies: Election, who: str, path: str) -> None:
    status, body = call(getattr(cast, who), path)
    assert status == 404 and body == {"detail": "未找到"}


def test_an_unknown_election_is_404(cast: Cast, tallies: Election) -> None:
    assert call(cast.county_staff, "/api/v1/stats/420102", election="nope")[0] == 404


def test_without_a_token(tallies: Election) -> None:
    assert Client().get("/api/v1/stats/420102").status_code == 401
