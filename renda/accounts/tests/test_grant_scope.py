"""Who may grant which role where, and whose accounts each person sees."""

from __future__ import annotations

import pytest

from renda.accounts import services
from renda.accounts.models import RoleAssignment
from renda.accounts.roles import Role
from renda.accounts.scopes import place_from_text
from renda.core.errors import ServiceError
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, TOWNSHIP_2, Cast
from renda.core.tests.helpers import page_text


def _grant(cast: Cast, role: str, scope: str, person: str = "county_staff") -> str:
    client = cast.client(getattr(cast, person))
    response = client.post(
        f"/accounts/{cast.nobody.pk}/roles/", {"role": role, "scope": scope}, follow=True
    )
    assert response.status_code == 200
    return page_text(response)


def test_county_staff_grants_a_role_in_her_county(cast: Cast) -> None:
    _grant(cast, "deputy", "420102")
    grant = RoleAssignment.objects.get(user=cast.nobody)
    assert (grant.role, grant.region_id, grant.granted_by) == ("deputy", COUNTY, cast.county_staff)
    event = AuditEvent.objects.get(action="role.grant")
    assert (event.region_code, event.target_id) == (COUNTY, str(cast.nobody.pk))


def test_county_staff_cannot_grant_on_the_sibling_county(cast: Cast) -> None:
    text = _grant(cast, "deputy", "420103")
    assert "您无权在“江汉区”授予“人大代表”角色" in text
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()
    assert not AuditEvent.objects.filter(action="role.grant").exists()


def test_county_staff_cannot_grant_above_her_county(cast: Cast) -> None:
    text = _grant(cast, "deputy", "4201")
    assert "您无权在“武汉市”授予" in text
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_county_staff_cannot_grant_administrator_roles(cast: Cast, role: str) -> None:
    text = _grant(cast, role, "42")
    assert "请选择角色并填写区划或选区代码" in text  # not even offered on her form
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()
    with pytest.raises(ServiceError, match="您无权"):
        services.role_grant(
            actor=cast.county_staff, user=cast.nobody, role=Role(role), place=place_from_text("42")
        )
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()


def test_the_grant_form_offers_no_administrator_roles_to_staff(cast: Cast) -> None:
    text = page_text(cast.client(cast.county_staff).get(f"/accounts/{cast.nobody.pk}/"))
    assert 'value="deputy"' in text
    assert 'value="system_admin"' not in text
    assert 'value="audit_admin"' not in text


def test_granting_the_same_role_twice_is_refused(cast: Cast) -> None:
    _grant(cast, "deputy", "420102")
    text = _grant(cast, "deputy", "420102")
    assert "该账号已拥有此角色" in text
    assert RoleAssignment.objects.filter(user=cast.nobody).count() == 1
    assert AuditEvent.objects.filter(action="role.grant").count() == 1


def test_county_staff_revokes_a_grant_in_her_county(cast: Cast) -> None:
    grant = RoleAssignment.objects.get(user=cast.registrar)
    response = cast.client(cast.county_staff).post(
        f"/accounts/{cast.registrar.pk}/roles/{grant.pk}/revoke/"
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke", region_code=grant.scope_code).exists()


def test_a_grant_cannot_be_revoked_through_another_account(cast: Cast) -> None:
    grant = RoleAssignment.objects.get(user=cast.registrar)
    response = cast.client(cast.county_staff).post(
        f"/accounts/{cast.deputy.pk}/roles/{grant.pk}/revoke/"
    )
    assert response.status_code == 404
    assert RoleAssignment.objects.filter(pk=grant.pk).exists()


def _listed(cast: Cast, person: str) -> set[str]:
    """The usernames whose account links the account list shows to ``person``."""
    text = page_text(cast.client(getattr(cast, person)).get("/accounts/"))
    everyone = [*vars(cast).values()]
    return {u.username for u in everyone if f'href="/accounts/{u.pk}/"' in text}


def test_township_staff_sees_only_the_accounts_of_their_township(cast: Cast) -> None:
    assert _listed(cast, "township_staff") == {"township_staff", "registrar"}
    client = cast.client(cast.township_staff)
    for hidden in [cast.county_staff, cast.committee, cast.deputy, cast.nobody, cast.outsider]:
        assert client.get(f"/accounts/{hidden.pk}/").status_code == 404, hidden.username
    assert client.get(f"/accounts/{cast.registrar.pk}/").status_code == 200


def test_county_staff_sees_her_county_and_nothing_beside_it(cast: Cast) -> None:
    assert _listed(cast, "county_staff") == {
        "county_staff",
        "township_staff",
        "registrar",
        "committee",
        "deputy",
        "nobody",
    }


def test_the_outsider_sees_none_of_the_county_accounts(cast: Cast) -> None:
    assert _listed(cast, "outsider") == {"outsider"}


def test_township_staff_cannot_manage_a_county_account(cast: Cast) -> None:
    client = cast.client(cast.township_staff)
    response = client.post(f"/accounts/{cast.county_staff.pk}/active/", {"active": "0"})
    assert response.status_code == 404
    cast.county_staff.refresh_from_db()
    assert cast.county_staff.is_active


def test_township_staff_cannot_grant_in_the_neighbouring_township(cast: Cast) -> None:
    response = cast.client(cast.township_staff).post(
        f"/accounts/{cast.registrar.pk}/roles/",
        {"role": "township_staff", "scope": str(TOWNSHIP_2)[:9]},
        follow=True,
    )
    assert "您无权在“一元街道”授予" in page_text(response)
    assert RoleAssignment.objects.filter(user=cast.registrar).count() == 1


def test_county_staff_deactivates_and_reactivates_an_account(cast: Cast) -> None:
    client = cast.client(cast.county_staff)
    client.post(f"/accounts/{cast.registrar.pk}/active/", {"active": "0"})
    cast.registrar.refresh_from_db()
    assert not cast.registrar.is_active
    assert cast.client(cast.registrar).get("/regions/").status_code == 302  # logged out
    client.post(f"/accounts/{cast.registrar.pk}/active/", {"active": "1"})
    cast.registrar.refresh_from_db()
    assert cast.registrar.is_active
    actions = list(
        AuditEvent.objects.filter(target_id=str(cast.registrar.pk))
        .exclude(action__startswith="auth.")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == ["account.deactivate", "account.activate"]


def test_nobody_may_deactivate_themselves(cast: Cast) -> None:
    response = cast.client(cast.county_staff).post(
        f"/accounts/{cast.county_staff.pk}/active/", {"active": "0"}, follow=True
    )
    assert "不能对自己的账号执行此操作" in page_text(response)
    cast.county_staff.refresh_from_db()
    assert cast.county_staff.is_active
