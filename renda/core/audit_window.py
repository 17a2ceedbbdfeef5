"""The audit purge window: the one way audit rows can be deleted (see core/0002)."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.utils import timezone

TABLE = "core_audit_purge_window"


def open_purge_window(using: str = "default") -> None:
    """Allow DELETE on audit rows until the window is closed (retention purges, test flushes)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (opened_at) VALUES (%s)",  # noqa: S608
            [timezone.now().isoformat()],
        )


def close_purge_window(using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608


def close_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate (also sent after every flush): the window never stays open by accident."""
    if TABLE in connections[using].introspection.table_names():
        close_purge_window(using)
