"""The REST API: bearer tokens made on the token page, scoped like the pages, revocable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renda.accounts.models import User
from renda.api.models import ApiToken
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.core.tests.helpers import element_text, page_text


def _make_token(cast: Cast, user: User, name: str = "统计报表同步") -> str:
    response = cast.client(user).post("/api-tokens/", {"name": name})
    assert response.status_code == 200
    return element_text(response, "new-token")


def _get(token: str | None, path: str) -> tuple[int, Any]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    response = Client().get(path, **headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


@pytest.fixture
def token(cast: Cast) -> str:
    return _make_token(cast, cast.county_staff)


def test_the_token_page_shows_a_new_token_once_and_stores_only_its_hash(
    cast: Cast, token: str
) -> None:
    stored = ApiToken.objects.get(user=cast.county_staff)
    assert token.startswith("rnd_")
    assert token not in (stored.key_hash, stored.prefix)
    assert token.startswith("rnd_" + stored.prefix)
    later = page_text(cast.client(cast.county_staff).get("/api-tokens/"))
    assert token not in later
    assert stored.prefix in later
    assert AuditEvent.objects.filter(action="api.token_create", actor=cast.county_staff).exists()


def test_a_token_without_a_name_is_refused(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post("/api-tokens/", {"name": "  "})
    assert "请填写令牌用途" in page_text(response)
    assert not ApiToken.objects.exists()


def test_me(token: str) -> None:
    status, body = _get(token, "/api/v1/me")
    assert status == 200
    assert body == {
        "username": "county_staff",
        "real_name": "县工作人员",
        "assignments": [
            {
                "role": "county_staff",
                "role_name": "县级工作人员",
                "scope_code": "420102",
                "scope_name": "江岸区",
            }
        ],
    }


@pytest.mark.parametrize("code", ["420102", "420102000000"])
def test_a_region_with_its_children_by_short_or_full_code(token: str, code: str) -> None:
    status, body = _get(token, f"/api/v1/regions/{code}")
    assert status == 200
    assert (body["code"], body["name"], body["level"], body["parent_code"]) == (
        "420102",
        "江岸区",
        3,
        "420100",
    )
    assert [(c["code"], c["name"]) for c in body["children"]] == [
        ("420102002", "大智街道"),
        ("420102003", "一元街道"),
    ]


def test_districts_of_a_region(token: str) -> None:
    status, body = _get(token, "/api/v1/districts?region=420102")
    assert status == 200
    assert [d["code"] for d in body["items"]] == [str(DISTRICT), str(DISTRICT_2), str(DISTRICT_3)]
    assert body["items"][0] == {
        "code": str(DISTRICT),
        "name": "第一选区",
        "township_code": "420102002",
        "township_name": "大智街道",
        "seats": 2,
        "population": 5000,
        "kind": "residential",
    }
    assert body["next_cursor"] is None


def test_districts_page_by_cursor(token: str) -> None:
    status, first = _get(token, "/api/v1/districts?limit=2")
    assert status == 200
    assert [d["code"] for d in first["items"]] == [str(DISTRICT), str(DISTRICT_2)]
    assert first["next_cursor"] == str(DISTRICT_2)
    _status, rest = _get(token, f"/api/v1/districts?limit=2&after={first['next_cursor']}")
    assert [d["code"] for d in rest["items"]] == [str(DISTRICT_3)]
    assert rest["next_cursor"] is None


def test_one_district(token: str) -> None:
    status, body = _get(token, f"/api/v1/districts/{DISTRICT}")
    assert (status, body["name"]) == (200, "第一选区")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/420102",
        "/api/v1/regions/420102002",
        "/api/v1/districts?region=420102",
        f"/api/v1/districts/{DISTRICT}",
    ],
)
def test_the_outsider_token_gets_404_for_jiangan(cast: Cast, path: str) -> None:
    status, body = _get(_make_token(cast, cast.outsider), path)
    assert status == 404
    assert body == {"detail": "未找到"}


def test_the_outsider_lists_only_their_own_districts(cast: Cast) -> None:
    _status, body = _get(_make_token(cast, cast.outsider), "/api/v1/districts")
    assert [d["code"] for d in body["items"]] == [str(SIBLING_DISTRICT)]


@pytest.mark.parametrize("code", ["4201020", "abc", "４２０１０２", "4201020020011"])
def test_a_malformed_code_is_404(token: str, code: str) -> None:
    status, _body = _get(token, f"/api/v1/regions/{code}")
    assert status == 404


def test_no_token_is_401(cast: Cast) -> None:
    status, _body = _get(None, "/api/v1/me")
    assert status == 401
    status, _body = _get("rnd_not-a-real-token", "/api/v1/me")
    assert status == 401


def test_a_session_is_no_substitute_for_a_token(cast: Cast) -> None:
    assert cast.client(cast.county_staff).get("/api/v1/me").status_code == 401


def test_a_revoked_token_is_401(cast: Cast, token: str) -> None:
    stored = ApiToken.objects.get(user=cast.county_staff)
    response = cast.client(cast.county_staff).post(f"/api-tokens/{stored.pk}/revoke/")
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoke", target_id=str(stored.pk)).exists()
    status, _body = _get(token, "/api/v1/me")
    assert status == 401


def test_the_token_of_a_deactivated_account_is_401(cast: Cast, token: str) -> None:
    cast.county_staff.is_active = False
    cast.county_staff.save(update_fields=["is_active"])
    assert _get(token, "/api/v1/me")[0] == 401


def test_the_token_of_an_account_awaiting_a_password_change_is_401(cast: Cast, token: str) -> None:
    cast.county_staff.must_change_password = True
    cast.county_staff.save(update_fields=["must_change_password"])
    assert _get(token, "/api/v1/me")[0] == 401


def test_a_token_records_when_it_was_last_used(cast: Cast, token: str) -> None:
    assert ApiToken.objects.get(user=cast.county_staff).last_used_at is None
    _get(token, "/api/v1/me")
    assert ApiToken.objects.get(user=cast.county_staff).last_used_at is not None


def test_the_openapi_schema_loads(cast: Cast) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Renda API"
    assert {"/api/v1/me", "/api/v1/regions/{code}", "/api/v1/districts"} <= set(schema["paths"])
    assert "BearerToken" in schema["components"]["securitySchemes"]
