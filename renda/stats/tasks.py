from __future__ import annotations

from django_tasks import task

from renda.stats.services import stats_snapshot_take
from renda.voters.models import Election


@task()
def stats_snapshot_task(election_id: int) -> None:
    """The day's snapshot and archive of one election, off the request (e.g. after a big
    import, so today's trend point and table are there without waiting for the timer)."""
    election = Election.objects.select_related("region").get(pk=election_id)
    stats_snapshot_take(election=election)
