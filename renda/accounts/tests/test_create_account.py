"""County staff create an account; its one-time password works once and must be changed."""

from __future__ import annotations

import pytest
from django.test import Client

from renda.accounts.models import RoleAssignment, User
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, SIBLING_DISTRICT, Cast
from renda.core.tests.helpers import element_text, is_logged_in, login, page_text

NEW_PASSWORD = "Dazhi-2026-登记"


def _create(client: Client, **overrides: str) -> tuple[int, str]:
    data = {
        "username": "dazhi_reg02",
        "real_name": "王小明",
        "phone": "13912345678",
        "role": "registrar",
        "scope": str(DISTRICT),
        **overrides,
    }
    response = client.post("/accounts/new/", data)
    return response.status_code, page_text(response)


@pytest.fixture
def created(cast: Cast) -> tuple[User, str]:
    """A registrar created by county staff, with the one-time password the page showed."""
    response = cast.client(cast.county_staff).post(
        "/accounts/new/",
        {
            "username": "dazhi_reg02",
            "real_name": "王小明",
            "phone": "13912345678",
            "role": "registrar",
            "scope": str(DISTRICT),
        },
    )
    assert response.status_code == 200
    assert element_text(response, "new-username") == "dazhi_reg02"
    return User.objects.get(username="dazhi_reg02"), element_text(response, "initial-password")


def test_county_staff_creates_a_registrar_on_a_district_of_her_county(
    cast: Cast, created: tuple[User, str]
) -> None:
    user, password = created
    assert user.real_name == "王小明"
    assert user.home_code == DISTRICT
    assert user.must_change_password
    assert user.created_by == cast.county_staff
    grant = RoleAssignment.objects.get(user=user)
    assert (grant.role, grant.district_id, grant.region_id) == ("registrar", DISTRICT, None)
    assert grant.granted_by == cast.county_staff
    event = AuditEvent.objects.get(action="account.create", target_id=str(user.pk))
    assert (event.actor, event.region_code) == (cast.county_staff, DISTRICT)
    assert event.summary["role"] == "registrar"
    assert len(password) == 12
    assert password not in str(event.summary)


def test_the_one_time_password_logs_in_and_forces_a_change(created: tuple[User, str]) -> None:
    user, password = created
    client, response = login("dazhi_reg02", password)
    assert response.status_code == 302
    assert is_logged_in(client)

    for path in ["/", f"/regions/districts/{DISTRICT}/", "/accounts/", "/api-tokens/"]:
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert blocked["Location"] == "/password/"
    assert client.get("/api/v1/me").status_code == 403
    assert client.get("/password/").status_code == 200

    response = client.post(
        "/password/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.change_password", actor=user).exists()
    assert client.get(f"/regions/districts/{DISTRICT}/").status_code == 200  # still logged in

    _again, response = login("dazhi_reg02", password)
    assert response.status_code == 200  # the one-time password is gone


def test_a_wrong_old_password_changes_nothing(created: tuple[User, str]) -> None:
    user, password = created
    client, _response = login("dazhi_reg02", password)
    response = client.post(
        "/password/",
        {
            "old_password": "Wrong-1234x",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "当前密码不正确" in page_text(response)
    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(password)


def test_the_new_account_appears_in_the_list_of_its_creator(
    cast: Cast, created: tuple[User, str]
) -> None:
    text = page_text(cast.client(cast.county_staff).get("/accounts/?q=dazhi"))
    assert "dazhi_reg02" in text
    assert "王小明" in text


def test_a_taken_username_is_refused_in_chinese(cast: Cast) -> None:
    status, text = _create(cast.client(cast.county_staff), username="REGISTRAR")
    assert status == 200
    assert "用户名“REGISTRAR”已被使用" in text
    assert not User.objects.filter(real_name="王小明").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "王", "用户名须为 3 至 150 位"),
        ("phone", "12345", "手机号码格式不正确"),
        ("scope", "4201020020", "不是有效的区划或选区代码"),
        ("scope", "420102002099", "找不到代码为 420102002099 的区划或选区"),
    ],
)
def test_bad_fields_are_refused_in_chinese(
    cast: Cast, field: str, value: str, message: str
) -> None:
    users = User.objects.count()
    status, text = _create(cast.client(cast.county_staff), **{field: value})
    assert status == 200
    assert message in text
    assert User.objects.count() == users
    assert not AuditEvent.objects.filter(action="account.create").exists()


def test_a_role_on_the_wrong_level_is_refused(cast: Cast) -> None:
    status, text = _create(cast.client(cast.county_staff), role="county_staff")
    assert status == 200
    assert "不能授予在选区单位上" in text
    assert not User.objects.filter(username="dazhi_reg02").exists()


def test_county_staff_cannot_create_an_account_in_the_sibling_county(cast: Cast) -> None:
    status, text = _create(cast.client(cast.county_staff), scope=str(SIBLING_DISTRICT))
    assert status == 200
    assert "您无权在“第一选区”授予“选区登记员”角色" in text
    assert not User.objects.filter(username="dazhi_reg02").exists()


@pytest.mark.parametrize("person", ["registrar", "deputy", "committee", "auditadmin", "nobody"])
def test_people_without_account_rights_get_404(cast: Cast, person: str) -> None:
    status, _text = _create(cast.client(getattr(cast, person)))
    assert status == 404
    assert not User.objects.filter(username="dazhi_reg02").exists()


def test_a_reset_password_is_one_time_too(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(f"/accounts/{cast.registrar.pk}/reset-password/")
    assert response.status_code == 200
    password = element_text(response, "initial-password")
    client, response = login("registrar", password)
    assert response.status_code == 302
    assert client.get("/")["Location"] == "/password/"
    assert AuditEvent.objects.filter(
        action="account.reset_password", target_id=str(cast.registrar.pk)
    ).exists()
