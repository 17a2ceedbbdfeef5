"""Every write to electoral districts. Views, commands and the API all come through here."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from renda.accounts.access import AnyUser, has_perm
from renda.accounts.roles import Perm
from renda.core.audit import audit_record, changed_fields
from renda.core.errors import ServiceError
from renda.regions.codes import Level
from renda.regions.models import District, DistrictKind, Region

EDITABLE = ("name", "seats", "population", "kind")


def _snapshot(district: District) -> dict[str, Any]:
    return {f: getattr(district, f) for f in EDITABLE}


def _check(name: str, seats: int, population: int, kind: str) -> None:
    if not name.strip():
        raise ServiceError(_("选区名称不能为空。"), field="name")
    if not 1 <= seats <= 3:
        raise ServiceError(_("每个选区应选代表名额为 1 至 3 名。"), field="seats")
    if population < 0:
        raise ServiceError(_("人口数不能为负数。"), field="population")
    if kind not in DistrictKind.values:
        raise ServiceError(_("选区类型无效。"), field="kind")


def _next_code(township: Region) -> int:
    top = township.districts.aggregate(m=Max("code"))["m"]
    code = (top or township.code) + 1
    if code >= township.code + 1000:
        raise ServiceError(_("该乡镇的选区编号已用完（最多 999 个）。"))
    return code


def district_create(
    *,
    actor: AnyUser,
    township: Region,
    name: str,
    seats: int = 1,
    population: int = 0,
    kind: str = DistrictKind.RESIDENTIAL,
    sequence: int | None = None,
) -> District:
    """Create an electoral district under ``township``; the code is the next free sequence."""
    if township.level != Level.TOWNSHIP:
        raise ServiceError(_("选区只能设在乡镇（街道）之下。"))
    if not has_perm(actor, Perm.DISTRICT_MANAGE, township.code):
        raise ServiceError(_("您无权在该乡镇设立选区。"))
    _check(name, seats, population, kind)
    if sequence is not None and not 1 <= sequence <= 999:
        raise ServiceError(_("选区序号应为 1 至 999。"), field="sequence")
    try:
        with transaction.atomic():
            code = township.code + sequence if sequence else _next_code(township)
            if District.objects.filter(code=code).exists():
                raise ServiceError(_("选区编号 %(seq)03d 已被占用。") % {"seq": code % 1000})
            district = District.objects.create(
                code=code,
                township=township,
                name=name.strip(),
                seats=seats,
                population=population,
                kind=kind,
            )
            audit_record(
                actor=actor,
                action="district.create",
                target=district,
                region_code=district.code,
                summary={"after": _snapshot(district)},
            )
    except IntegrityError:
        raise ServiceError(_("同一乡镇内已有名为“%(name)s”的选区。") % {"name": name}) from None
    return district


def district_update(*, actor: AnyUser, district: District, **fields: Any) -> District:
    """Change a district's name, seats, population or kind."""
    if not has_perm(actor, Perm.DISTRICT_MANAGE, district.code):
        raise ServiceError(_("您无权修改该选区。"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = _snapshot(district)
    after = {**before, **fields}
    _check(after["name"], after["seats"], after["population"], after["kind"])
    try:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(district, name, value.strip() if isinstance(value, str) else value)
            district.save(update_fields=[*fields, "updated_at"])
            audit_record(
                actor=actor,
                action="district.update",
                target=district,
                region_code=district.code,
                summary=changed_fields(before, _snapshot(district)),
            )
    except IntegrityError:
        raise ServiceError(
            _("同一乡镇内已有名为“%(name)s”的选区。") % {"name": fields.get("name", "")}
        ) from None
    return district


def district_delete(*, actor: AnyUser, district: District) -> None:
    """Remove a district that nothing refers to yet (role grants, later voters)."""
    if not has_perm(actor, Perm.DISTRICT_MANAGE, district.code):
        raise ServiceError(_("您无权删除该选区。"))

    try:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="district.delete",
                target=district,
                region_code=district.code,
                summary={"before": _snapshot(district)},
            )
            district.delete()
    except ProtectedError:
        raise ServiceError(_("该选区已有账号或选民等数据关联，不能删除。")) from None
