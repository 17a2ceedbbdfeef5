"""The test cast: a small real-looking region tree and one person per role.

Use the ``cast`` fixture (conftest.py): ``cast.county_staff`` logs into 江岸区; ``cast.outsider``
is county staff of the sibling 江汉区 and must get 404 on everything of 江岸区.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.test import Client

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.regions.codes import Level
from renda.regions.models import District, Region

PASSWORD = "Cast@Pass2026"  # noqa: S105 — the test cast's shared password

PROVINCE = 420000000000  # 湖北省
CITY = 420100000000  # 武汉市
COUNTY = 420102000000  # 江岸区
TOWNSHIP = 420102002000  # 大智街道
TOWNSHIP_2 = 420102003000  # 一元街道
DISTRICT = 420102002001  # 大智街道第一选区
DISTRICT_2 = 420102002002  # 大智街道第二选区
DISTRICT_3 = 420102003001  # 一元街道第一选区
SIBLING_COUNTY = 420103000000  # 江汉区
SIBLING_TOWNSHIP = 420103001000  # 民族街道
SIBLING_DISTRICT = 420103001001
OTHER_CITY = 420500000000  # 宜昌市
OTHER_COUNTY = 420502000000  # 西陵区

REGIONS = [
    (PROVINCE, "湖北省", Level.PROVINCE, None),
    (CITY, "武汉市", Level.CITY, PROVINCE),
    (OTHER_CITY, "宜昌市", Level.CITY, PROVINCE),
    (COUNTY, "江岸区", Level.COUNTY, CITY),
    (SIBLING_COUNTY, "江汉区", Level.COUNTY, CITY),
    (OTHER_COUNTY, "西陵区", Level.COUNTY, OTHER_CITY),
    (TOWNSHIP, "大智街道", Level.TOWNSHIP, COUNTY),
    (TOWNSHIP_2, "一元街道", Level.TOWNSHIP, COUNTY),
    (SIBLING_TOWNSHIP, "民族街道", Level.TOWNSHIP, SIBLING_COUNTY),
]
DISTRICTS = [
    (DISTRICT, TOWNSHIP, "第一选区"),
    (DISTRICT_2, TOWNSHIP, "第二选区"),
    (DISTRICT_3, TOWNSHIP_2, "第一选区"),
    (SIBLING_DISTRICT, SIBLING_TOWNSHIP, "第一选区"),
]
MEMBERS = [
    ("province_staff", "省工作人员", Role.PROVINCE_STAFF, PROVINCE),
    ("city_staff", "市工作人员", Role.CITY_STAFF, CITY),
    ("county_staff", "县工作人员", Role.COUNTY_STAFF, COUNTY),
    ("township_staff", "乡工作人员", Role.TOWNSHIP_STAFF, TOWNSHIP),
    ("registrar", "登记员", Role.REGISTRAR, DISTRICT),
    ("committee", "选委会委员", Role.COMMITTEE, COUNTY),
    ("deputy", "代表", Role.DEPUTY, COUNTY),
    ("handling_unit", "承办单位", Role.HANDLING_UNIT, CITY),
    ("outsider", "邻县工作人员", Role.COUNTY_STAFF, SIBLING_COUNTY),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, PROVINCE),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, PROVINCE),
    ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, PROVINCE),
]


@dataclass
class Cast:
    province_staff: User
    city_staff: User
    county_staff: User
    township_staff: User
    registrar: User
    committee: User
    deputy: User
    handling_unit: User
    outsider: User
    sysadmin: User
    secadmin: User
    auditadmin: User
    nobody: User  # an account with no role at all

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def build_regions() -> None:
    Region.objects.bulk_create(
        [Region(code=c, name=n, level=lvl, parent_id=p) for c, n, lvl, p in REGIONS]
    )
    District.objects.bulk_create(
        [District(code=c, township_id=t, name=n, seats=2, population=5000) for c, t, n in DISTRICTS]
    )


def build_cast() -> Cast:
    build_regions()
    password = make_password(PASSWORD)
    people: dict[str, User] = {}
    for username, real_name, role, code in MEMBERS:
        user = User.objects.create(
            username=username, real_name=real_name, password=password, home_code=code
        )
        scope = {"district_id": code} if role == Role.REGISTRAR else {"region_id": code}
        RoleAssignment.objects.create(user=user, role=role, **scope)
        people[username] = user
    people["nobody"] = User.objects.create(
        username="nobody", real_name="无角色", password=password, home_code=COUNTY
    )
    return Cast(**people)
