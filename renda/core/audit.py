"""The audit trail: every service writes through ``audit_record`` (or ``audit_record_many``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from renda.core.context import client_ip
from renda.core.models import AuditEvent


@dataclass(frozen=True)
class Entry:
    """One event for ``audit_record_many``."""

    action: str
    target: models.Model | None = None
    region_code: int | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": ""}
    return {"actor": actor, "actor_name": actor.get_username()}


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_label": ""}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk),
        "target_label": str(target)[:200],
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    region_code: int | None = None,
    summary: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call inside the transaction of the write it describes."""
    return AuditEvent.objects.create(
        **_actor_fields(actor),
        **_target_fields(target),
        action=action,
        region_code=region_code,
        ip=client_ip.get(),
        summary=dict(summary or {}),
    )


def audit_record_many(*, actor: Any, entries: Iterable[Entry], batch_size: int = 2000) -> int:
    """Write many audit rows in bulk (imports); returns how many."""
    now, ip, who = timezone.now(), client_ip.get(), _actor_fields(actor)
    rows = [
        AuditEvent(
            at=now,
            ip=ip,
            **who,
            **_target_fields(e.target),
            action=e.action,
            region_code=e.region_code,
            summary=dict(e.summary),
        )
        for e in entries
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """A before/after summary holding only what changed."""
    keys = sorted(set(before) | set(after))
    diff = {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
    return {"changed": diff}
