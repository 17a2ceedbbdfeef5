"""The three administrators (等保三员): system, security and audit, each barred from the others' work."""

from __future__ import annotations

import pytest

from renda.accounts.models import RoleAssignment, User
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, PROVINCE, Cast
from renda.core.tests.helpers import element_text, page_text, read_xlsx


def row_text(record: dict[str, str]) -> str:
    return " ".join(record.values())


# --- the system administrator runs accounts but cannot read the audit log ---------------------


def test_sysadmin_cannot_read_the_audit_log(cast: Cast) -> None:
    client = cast.client(cast.sysadmin)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.xlsx").status_code == 404
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_sysadmin_manages_accounts_anywhere_in_the_province(cast: Cast) -> None:
    client = cast.client(cast.sysadmin)
    assert client.get("/accounts/").status_code == 200
    response = client.post(
        "/accounts/new/",
        {
            "username": "xl_county",
            "real_name": "西陵区管理员",
            "phone": "",
            "role": "county_staff",
            "scope": "420502",
        },
    )
    assert response.status_code == 200
    assert element_text(response, "new-username") == "xl_county"
    assert RoleAssignment.objects.get(user__username="xl_county").region_id == 420502000000
    reset = client.post(f"/accounts/{cast.outsider.pk}/reset-password/")
    assert reset.status_code == 200
    assert AuditEvent.objects.filter(action="account.reset_password", actor=cast.sysadmin).exists()


def test_sysadmin_cannot_grant_an_administrator_role(cast: Cast) -> None:
    response = cast.client(cast.sysadmin).post(
        f"/accounts/{cast.nobody.pk}/roles/", {"role": "audit_admin", "scope": "42"}, follow=True
    )
    assert "请选择角色并填写区划或选区代码" in page_text(response)
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()


def test_sysadmin_cannot_create_an_administrator(cast: Cast) -> None:
    response = cast.client(cast.sysadmin).post(
        "/accounts/new/",
        {"username": "admin2", "real_name": "二号", "role": "security_admin", "scope": "42"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="admin2").exists()


# --- the security administrator grants administrator roles ------------------------------------


@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_secadmin_grants_an_administrator_role(cast: Cast, role: str) -> None:
    response = cast.client(cast.secadmin).post(
        f"/accounts/{cast.nobody.pk}/roles/", {"role": role, "scope": "42"}
    )
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=cast.nobody)
    assert (grant.role, grant.region_id, grant.granted_by) == (role, PROVINCE, cast.secadmin)
    assert AuditEvent.objects.filter(action="role.grant", actor=cast.secadmin).exists()


def test_an_administrator_role_is_granted_only_on_the_province(cast: Cast) -> None:
    response = cast.client(cast.secadmin).post(
        f"/accounts/{cast.nobody.pk}/roles/",
        {"role": "audit_admin", "scope": "420102"},
        follow=True,
    )
    assert "不能授予在县级单位上" in page_text(response)
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()


def test_secadmin_cannot_grant_staff_roles_or_manage_accounts(cast: Cast) -> None:
    client = cast.client(cast.secadmin)
    response = client.post(
        f"/accounts/{cast.nobody.pk}/roles/", {"role": "deputy", "scope": "420102"}, follow=True
    )
    assert "请选择角色" in page_text(response)
    client.post(f"/accounts/{cast.registrar.pk}/active/", {"active": "0"})
    cast.registrar.refresh_from_db()
    assert cast.registrar.is_active
    assert not RoleAssignment.objects.filter(user=cast.nobody).exists()
    assert client.get("/audit/").status_code == 404


# --- the audit administrator reads the log and nothing else ------------------------------------


def test_auditadmin_reads_the_audit_log(cast: Cast) -> None:
    cast.client(cast.county_staff).post(
        f"/regions/{COUNTY + 2000}/districts/new/",
        {"name": "第三选区", "seats": 1, "population": 100, "kind": "residential"},
    )
    page = cast.client(cast.auditadmin).get("/audit/")
    assert page.status_code == 200
    text = page_text(page)
    assert "district.create" in text
    assert "county_staff" in text


def test_auditadmin_exports_the_audit_log_as_a_workbook(cast: Cast) -> None:
    cast.client(cast.county_staff).post(
        f"/regions/{COUNTY + 2000}/districts/new/",
        {"name": "第三选区", "seats": 1, "population": 100, "kind": "residential"},
    )
    response = cast.client(cast.auditadmin).get("/audit/export.xlsx?action=district.")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    head, *rows = read_xlsx(response.content)
    assert {"时间", "操作人", "操作", "对象", "区划代码", "IP 地址", "变更摘要"} <= set(head)
    records = [dict(zip(head, row, strict=True)) for row in rows]
    assert len(records) == 1  # filtered to district actions: the one district created
    record = records[0]
    assert record["操作人"] == "county_staff"
    assert record["对象"] == "第三选区"
    assert record["区划代码"] == str(COUNTY + 2003)
    assert "district.create" in row_text(record)
    assert '"name": "第三选区"' in record["变更摘要"]
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == cast.auditadmin
    assert export.summary == {"filter": {"action": "district."}}


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/",
        "/accounts/new/",
        "/accounts/import/",
        "/accounts/lockouts/",
        f"/regions/{PROVINCE}/",
        f"/regions/{COUNTY}/",
        f"/regions/districts/{COUNTY + 2001}/",
        "/regions/",
    ],
)
def test_auditadmin_gets_404_outside_the_audit_log(cast: Cast, path: str) -> None:
    assert cast.client(cast.auditadmin).get(path).status_code == 404


@pytest.mark.parametrize(
    "person", ["county_staff", "province_staff", "sysadmin", "secadmin", "registrar", "nobody"]
)
def test_nobody_else_reads_the_audit_log(cast: Cast, person: str) -> None:
    client = cast.client(getattr(cast, person))
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.xlsx").status_code == 404
