"""Reads of the audit trail: only for holders of AUDIT_VIEW, within their regions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from renda.accounts.access import AnyUser, regions_for
from renda.accounts.roles import Perm
from renda.core.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target: str = ""
    since: date | None = None
    until: date | None = None


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events_for(user: AnyUser, f: AuditFilter) -> QuerySet[AuditEvent]:
    scope = regions_for(user, Perm.AUDIT_VIEW)
    if scope.is_empty:
        return AuditEvent.objects.none()
    # Events tied to no region (failed logins of unknown names) are system-wide.
    qs = AuditEvent.objects.filter(scope.q("region_code") | Q(region_code__isnull=True))
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.target:
        qs = qs.filter(target_label__contains=f.target)
    if f.since:
        qs = qs.filter(at__gte=_start(f.since))
    if f.until:
        qs = qs.filter(at__lt=_start(f.until + timedelta(days=1)))
    return qs


ACTIONS = [
    ("auth.", "登录与退出"),
    ("account.", "账号"),
    ("role.", "角色授权"),
    ("district.", "选区"),
    ("import.", "批量导入"),
    ("security.", "安全管理"),
    ("audit.", "审计"),
    ("api.", "接口令牌"),
]
