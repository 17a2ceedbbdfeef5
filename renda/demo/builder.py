"""The demo province: real Hubei divisions, invented districts and accounts at every level.

Deterministic and idempotent: running it again finds what it made and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.audit import audit_record
from renda.regions.codes import Level
from renda.regions.models import District, DistrictKind, Region

PASSWORD = "Renda@2026"  # noqa: S105 — published in the README for the demo
PROVINCE = 420000000000
# 武汉市: 江岸区, 江汉区, 武昌区; 宜昌市: 西陵区, 夷陵区, 秭归县
COUNTIES = (420102, 420103, 420106, 420502, 420506, 420527)
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    real_name: str
    role: Role
    code: int  # region or district, 12 digits
    note: str


def _district_code(township: int, seq: int) -> int:
    return township + seq


DAZHI = 420102002000  # 江岸区大智街道
ACCOUNTS = (
    DemoAccount(
        "sysadmin", "系统管理员", Role.SYSTEM_ADMIN, PROVINCE, "账号与系统配置，不能查看审计日志"
    ),
    DemoAccount(
        "secadmin", "安全管理员", Role.SECURITY_ADMIN, PROVINCE, "授予管理员角色、解除锁定"
    ),
    DemoAccount("auditadmin", "审计管理员", Role.AUDIT_ADMIN, PROVINCE, "只能查阅审计日志"),
    DemoAccount("hubei", "王省", Role.PROVINCE_STAFF, PROVINCE, "湖北省人大常委会工作人员"),
    DemoAccount("wuhan", "李市", Role.CITY_STAFF, 420100000000, "武汉市"),
    DemoAccount("yichang", "赵市", Role.CITY_STAFF, 420500000000, "宜昌市"),
    DemoAccount("jiangan", "陈县", Role.COUNTY_STAFF, 420102000000, "江岸区（演示用县级工作人员）"),
    DemoAccount("xiling", "刘县", Role.COUNTY_STAFF, 420502000000, "宜昌市西陵区"),
    DemoAccount("dazhi", "张乡", Role.TOWNSHIP_STAFF, DAZHI, "江岸区大智街道"),
    DemoAccount(
        "dengji", "周登记", Role.REGISTRAR, _district_code(DAZHI, 1), "大智街道第一选区登记员"
    ),
    DemoAccount("xuanwei", "吴选委", Role.COMMITTEE, 420102000000, "江岸区选举委员会"),
    DemoAccount("daibiao", "郑代表", Role.DEPUTY, 420102000000, "江岸区人大代表"),
    DemoAccount("chengban", "孙承办", Role.HANDLING_UNIT, 420100000000, "武汉市承办单位"),
)


def _districts_for(township: Region) -> list[District]:
    """Three to six districts per township, the last of a street (街道) a work-unit one."""
    count = 3 + (township.code // 1000) % 4
    districts = []
    for seq in range(1, count + 1):
        work_unit = township.name.endswith("街道") and seq == count
        seed = (township.code // 1000 * 31 + seq * 17) % 1000
        districts.append(
            District(
                code=_district_code(township.code, seq),
                township=township,
                name=f"第{NUMERALS[seq - 1]}选区",
                seats=1 + seed % 3,
                population=3000 + seed * 7,
                kind=DistrictKind.WORK_UNIT if work_unit else DistrictKind.RESIDENTIAL,
            )
        )
    return districts


@transaction.atomic
def build_demo() -> dict[str, int]:
    if not Region.objects.filter(code=PROVINCE).exists():
        raise RuntimeError("load the regions first: renda load_regions")
    townships = Region.objects.filter(
        level=Level.TOWNSHIP,
        parent_id__in=[c * 1_000_000 for c in COUNTIES],
        valid_to__isnull=True,
    ).order_by("code")
    wanted = [d for t in townships for d in _districts_for(t)]
    existing = set(
        District.objects.filter(code__in=[d.code for d in wanted]).values_list("code", flat=True)
    )
    new_districts = [d for d in wanted if d.code not in existing]
    District.objects.bulk_create(new_districts, batch_size=500)

    password = make_password(PASSWORD)
    created = 0
    for spec in ACCOUNTS:
        user, made = User.objects.get_or_create(
            username=spec.username,
            defaults={"real_name": spec.real_name, "password": password, "home_code": spec.code},
        )
        if made:
            created += 1
            scope = (
                {"district_id": spec.code}
                if spec.role == Role.REGISTRAR
                else {"region_id": spec.code}
            )
            RoleAssignment.objects.create(user=user, role=spec.role, **scope)
    if new_districts or created:
        audit_record(
            actor=None,
            action="demo.load",
            region_code=PROVINCE,
            summary={"districts": len(new_districts), "accounts": created},
        )
    return {"townships": townships.count(), "districts": len(new_districts), "accounts": created}
