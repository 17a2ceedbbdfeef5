"""In-app notifications: services tell people what waits for them (decision 0019).

``notify`` writes one row per recipient inside the caller's transaction, so a notification
exists exactly when the write it announces does. Reading is per person: ``notifications_for``
never shows anyone else's rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from renda.core.audit import audit_record
from renda.core.models import Notification

TEXT_MAX = 300


def notify(
    *, recipients: Iterable[object], text: str, url: str = "", region_code: int | None = None
) -> int:
    """One notification for each distinct recipient (a User); returns how many were written."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        pk = getattr(user, "pk", None)
        if pk is None or pk in seen:
            continue
        seen.add(pk)
        rows.append(
            Notification(recipient_id=pk, text=text[:TEXT_MAX], url=url, region_code=region_code)
        )
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_for(user: object) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=pk).order_by("-id")


def unread_count(user: object) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notifications_mark_read(*, actor: object, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's notifications read: those of ``ids``, or all unread ones."""
    unread = notifications_for(actor).filter(read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    count = unread.update(read_at=timezone.now())
    if count:
        audit_record(actor=actor, action="notification.read", summary={"count": count})
    return count
