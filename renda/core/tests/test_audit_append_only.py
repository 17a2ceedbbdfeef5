"""Audit rows are append-only: the database itself refuses to change or remove them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from renda.core.audit import audit_record
from renda.core.audit_window import close_purge_window, open_purge_window
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, Cast


@pytest.fixture
def event(cast: Cast) -> AuditEvent:
    return audit_record(
        actor=cast.county_staff,
        action="district.update",
        region_code=COUNTY,
        summary={"changed": {"seats": [2, 3]}},
    )


def _refused(statement: Callable[[], object]) -> None:
    """``statement`` fails with the trigger's message and leaves the test database usable."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        statement()


def _sql(sql: str, *params: str | int) -> Callable[[], object]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_a_queryset_update_is_refused(event: AuditEvent) -> None:
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened"))
    assert AuditEvent.objects.get(pk=event.pk).action == "district.update"


def test_saving_a_changed_row_is_refused(event: AuditEvent) -> None:
    event.summary = {"changed": {}}
    _refused(event.save)
    event.refresh_from_db()
    assert event.summary == {"changed": {"seats": [2, 3]}}


def test_deleting_a_row_is_refused(event: AuditEvent) -> None:
    _refused(event.delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_queryset_delete_is_refused(event: AuditEvent) -> None:
    count = AuditEvent.objects.count()
    _refused(AuditEvent.objects.all().delete)
    assert AuditEvent.objects.count() == count


def test_raw_sql_update_is_refused(event: AuditEvent) -> None:
    _refused(_sql("UPDATE core_auditevent SET actor_name = %s WHERE id = %s", "someone", event.pk))
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "county_staff"


def test_raw_sql_delete_of_the_whole_table_is_refused(event: AuditEvent) -> None:
    _refused(_sql("DELETE FROM core_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused(event: AuditEvent) -> None:
    # Fire the deferred foreign-key checks of the rows this test wrote; otherwise PostgreSQL
    # refuses the TRUNCATE for "pending trigger events" before our trigger is even asked.
    connection.check_constraints()
    _refused(_sql("TRUNCATE core_auditevent CASCADE"))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_update_is_refused_even_while_the_purge_window_is_open(event: AuditEvent) -> None:
    open_purge_window()
    try:
        _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="rewritten"))
    finally:
        close_purge_window()
    assert AuditEvent.objects.get(pk=event.pk).action == "district.update"


def test_only_an_open_purge_window_lets_rows_go(event: AuditEvent, cast: Cast) -> None:
    open_purge_window()
    try:
        AuditEvent.objects.filter(pk=event.pk).delete()
    finally:
        close_purge_window()
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    later = audit_record(actor=cast.county_staff, action="district.create", region_code=COUNTY)
    _refused(later.delete)  # closed again


def test_new_rows_are_still_written(event: AuditEvent, cast: Cast) -> None:
    audit_record(actor=cast.county_staff, action="district.create", region_code=COUNTY)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True))[-2:] == [
        "district.update",
        "district.create",
    ]
