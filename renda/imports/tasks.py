from __future__ import annotations

from django_tasks import task

from renda.imports.services import import_run_execute


@task()
def import_run_task(run_id: int) -> None:
    import_run_execute(run_id)
