"""The townships' district mapping: which village (or address) belongs to which district.

Township staff keep the rules (DISTRICT_MANAGE on the township); every save re-applies the
township's rules to its expected records in one UPDATE, so the expected lists and counts
follow the rules at once. Confirmed records and exceptions keep their district.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.core.errors import ServiceError
from renda.regions.codes import SPAN, Level
from renda.regions.models import District, Region
from renda.roster.models import (
    BaseBatch,
    BaseRecord,
    DistrictMapping,
    MappingKind,
    RecordStatus,
    SourceKind,
)
from renda.roster.services.expected import expected_refresh
from renda.roster.services.records import link_registered
from renda.voters.services.common import require

# LIKE's own wildcards and escape: an address fragment is plain text.
FORBIDDEN = set("%_\\")
VALUE_MAX = 100


def _township_range(township: Region) -> tuple[int, int]:
    return township.code, township.code + SPAN[Level.TOWNSHIP] - 1


def _check_rule(township: Region, kind: str, value: str, district: District) -> str:
    if township.level != Level.TOWNSHIP:
        raise ServiceError(_("选区划分规则只能按乡镇（街道）设置。"))
    if kind not in MappingKind.values:
        raise ServiceError(_("匹配方式无效。"), field="kind")
    text = value.strip()
    if not text or len(text) > VALUE_MAX:
        raise ServiceError(_("请填写村（居）名称或地址片段（不超过 100 字）。"), field="value")
    if FORBIDDEN & set(text):
        raise ServiceError(_("地址片段不能包含 %、_ 或 \\ 字符。"), field="value")
    if district.township_id != township.code:
        raise ServiceError(
            _("选区“%(d)s”不属于“%(t)s”。") % {"d": district.name, "t": township.name},
            field="district",
        )
    return text


def district_mapping_save(
    *, actor: User, township: Region, kind: str, value: str, district: District
) -> DistrictMapping:
    """Add a rule, or point an existing one (same township, kind and text) at ``district``."""
    require(actor, Perm.DISTRICT_MANAGE, township.code, _("您无权修改该乡镇的选区划分规则。"))
    text = _check_rule(township, kind, value, district)
    with transaction.atomic():
        rule, created = DistrictMapping.objects.update_or_create(
            township=township,
            kind=kind,
            value=text,
            defaults={"district": district, "updated_by": actor},
        )
        assigned = _apply_and_count(township, actor)
        audit_record(
            actor=actor,
            action="district_mapping.save",
            target=rule,
            region_code=township.code,
            summary={
                "kind": kind,
                "value": text,
                "district": district.code,
                "created": created,
                "assigned": assigned,
            },
        )
    return rule


def district_mappings_set_villages(
    *, actor: User, township: Region, choices: Mapping[str, District | None]
) -> int:
    """The village table of the mapping page: each village → a district, or None to drop its
    rule. One re-application for the whole form. Returns how many rules changed."""
    require(actor, Perm.DISTRICT_MANAGE, township.code, _("您无权修改该乡镇的选区划分规则。"))
    current = {
        r.value: r
        for r in DistrictMapping.objects.filter(township=township, kind=MappingKind.VILLAGE)
    }
    changed = 0
    with transaction.atomic():
        for village, district in choices.items():
            rule = current.get(village)
            if district is None:
                if rule is not None:
                    rule.delete()
                    changed += 1
                continue
            if rule is not None and rule.district_id == district.code:
                continue
            text = _check_rule(township, MappingKind.VILLAGE, village, district)
            DistrictMapping.objects.update_or_create(
                township=township,
                kind=MappingKind.VILLAGE,
                value=text,
                defaults={"district": district, "updated_by": actor},
            )
            changed += 1
        if changed:
            assigned = _apply_and_count(township, actor)
            audit_record(
                actor=actor,
                action="district_mapping.set_villages",
                region_code=township.code,
                summary={"changed": changed, "assigned": assigned},
            )
    return changed


def district_mapping_delete(*, actor: User, rule: DistrictMapping) -> None:
    require(actor, Perm.DISTRICT_MANAGE, rule.township_id, _("您无权修改该乡镇的选区划分规则。"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="district_mapping.delete",
            target=rule,
            region_code=rule.township_id,
            summary={"kind": rule.kind, "value": rule.value, "district": rule.district_id},
        )
        township = rule.township
        rule.delete()
        _apply_and_count(township, actor)


def _apply_and_count(township: Region, actor: User) -> int:
    assigned = mapping_apply(townships=[township.code])
    lo, hi = _township_range(township)
    link_registered(lo=lo, hi=hi, actor=actor)
    expected_refresh([(lo, hi)])
    return assigned


def mapping_apply(*, townships: Iterable[int], batch: BaseBatch | None = None) -> int:
    """Assign the expected household records of ``townships`` (of ``batch`` only, when given)
    to the district their township's best rule names — a village rule first, then the longest
    address fragment the address contains — or to none. One UPDATE per township; returns how
    many records now have a district. In the caller's transaction."""
    quote = connection.ops.quote_name
    records = quote(BaseRecord._meta.db_table)
    rules = quote(DistrictMapping._meta.db_table)
    best = (
        f"SELECT m.district_id FROM {rules} m "  # noqa: S608 — model names
        f"WHERE m.township_id = {records}.township_code AND ("
        f"(m.kind = %s AND m.value = {records}.village) OR "
        f"(m.kind = %s AND {records}.household_address LIKE ('%%' || m.value || '%%'))) "
        "ORDER BY CASE WHEN m.kind = %s THEN 0 ELSE 1 END, LENGTH(m.value) DESC, m.id LIMIT 1"
    )
    where = "township_code = %s AND source = %s AND status = %s"
    if batch is not None:
        where += " AND batch_id = %s"
    assigned = 0
    with connection.cursor() as cursor:
        for township in townships:
            params: list[Any] = [
                MappingKind.VILLAGE.value,
                MappingKind.ADDRESS.value,
                MappingKind.VILLAGE.value,
                township,
                SourceKind.HOUSEHOLD.value,
                RecordStatus.EXPECTED.value,
            ]
            if batch is not None:
                params.append(batch.pk)
            cursor.execute(
                f"UPDATE {records} SET district_id = ({best}) WHERE {where}",  # noqa: S608
                params,
            )
            cursor.execute(
                f"SELECT COUNT(*) FROM {records} WHERE {where} AND district_id IS NOT NULL",  # noqa: S608
                params[3:],
            )
            assigned += int(cursor.fetchone()[0])
    return assigned
