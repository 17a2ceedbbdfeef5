"""Counting from the register itself: recount, verify (the drift), rebuild."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from renda.voters.models import (
    ACTIVE,
    Certificate,
    CertificateStatus,
    Election,
    Proxy,
    ResidenceKind,
    Sex,
    Voter,
    VoterChange,
    VoterTally,
    VoterTallyEthnicity,
)
from renda.voters.tally.counting import (
    ALL_CODES,
    CHANGE_KINDS,
    COUNTERS,
    HAN,
    STATUSES,
    Bands,
    Open,
)
from renda.voters.tally.store import upsert


@dataclass(frozen=True)
class Recount:
    rows: dict[int, Counter[str]]  # district code → counters
    ethnicity: Counter[tuple[int, int]]  # (district code, ethnicity) → active voters


def recount(election: Election, lo: int | None = None, hi: int | None = None) -> Recount:
    """The counters of ``election`` for districts in [lo, hi], from the register: a GROUP BY
    over its voters (and one more for the ethnicity table), one each over its changes,
    proxies and certificates."""
    lo, hi = lo if lo is not None else ALL_CODES[0], hi if hi is not None else ALL_CODES[1]
    target = Open.of(election)
    rows: dict[int, Counter[str]] = defaultdict(Counter)
    inside = Q(district_id__gte=max(lo, target.lo), district_id__lte=min(hi, target.hi))
    for row in (
        Voter.objects.filter(inside)
        .values("district_id")
        .annotate(**_voter_sums(target.bands))
        .order_by()
    ):
        rows[row.pop("district_id")].update(row)
    for code, kind, n in (
        VoterChange.objects.filter(
            election=election, kind__in=CHANGE_KINDS, district_code__gte=lo, district_code__lte=hi
        )
        .values_list("district_code", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[code][kind] += n
    _recount_proxies_and_certificates(rows, election, lo, hi)
    ethnicity: Counter[tuple[int, int]] = Counter()
    for code, ethnic, n in (
        Voter.objects.filter(inside, status__in=ACTIVE)
        .values_list("district_id", "ethnicity")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        ethnicity[(code, ethnic)] = n
    return Recount(
        {k: Counter({c: n for c, n in v.items() if n}) for k, v in rows.items()}, ethnicity
    )


def voter_filters(bands: Bands) -> dict[str, Q]:
    """Each voter counter as a filter on Voter: the recount's definition, also what a figure
    on a dashboard opens (the list of the people it counts)."""
    active = Q(status__in=ACTIVE)
    return {
        **{status: Q(status=status) for status in STATUSES},
        "male": active & Q(sex=Sex.MALE),
        "female": active & ~Q(sex=Sex.MALE),
        "age_18_35": active & Q(birth_date__lte=bands.by18, birth_date__gt=bands.by36),
        "age_36_59": active & Q(birth_date__lte=bands.by36, birth_date__gt=bands.by60),
        "age_60_plus": active & Q(birth_date__lte=bands.by60),
        "minority": active & ~Q(ethnicity=HAN),
        "certificate_holders": active & Q(residence_kind=ResidenceKind.CERTIFICATE),
        "mobile_box": active & Q(mobile_box=True),
    }


def _voter_sums(bands: Bands) -> dict[str, Count]:
    return {name: Count("pk", filter=q) for name, q in voter_filters(bands).items()}


def _recount_proxies_and_certificates(
    rows: dict[int, Counter[str]], election: Election, lo: int, hi: int
) -> None:
    for code, n in (
        Proxy.objects.filter(
            election=election,
            revoked_at__isnull=True,
            principal__district_id__gte=lo,
            principal__district_id__lte=hi,
        )
        .values_list("principal__district_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[code]["proxies"] += n
    for code, n in (
        Certificate.objects.filter(election=election, district_id__gte=lo, district_id__lte=hi)
        .exclude(status=CertificateStatus.REVOKED)
        .values_list("district_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[code]["certificates_issued"] += n


# --- Verifying and rebuilding ---------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    election: str  # code
    district: int
    column: str  # a counter, or ethnicity_NN
    stored: int
    counted: int


def stored(election: Election, lo: int, hi: int) -> Recount:
    """The counters as kept, in the shape of a Recount."""
    rows: dict[int, Counter[str]] = {}
    for values in VoterTally.objects.filter(
        election=election, district_id__gte=lo, district_id__lte=hi
    ).values("district_id", *COUNTERS):
        rows[values.pop("district_id")] = Counter({c: n for c, n in values.items() if n})
    ethnicity = Counter(
        {
            (code, ethnic): n
            for code, ethnic, n in VoterTallyEthnicity.objects.filter(
                election=election, district_id__gte=lo, district_id__lte=hi
            ).values_list("district_id", "ethnicity", "count")
            if n
        }
    )
    return Recount(rows, ethnicity)


def verify(
    elections: Iterable[Election] | None = None, lo: int | None = None, hi: int | None = None
) -> list[Drift]:
    """Every difference between the kept counters and a recount, for ``elections`` (default:
    the open ones) and districts in [lo, hi]. Empty when all is well."""
    lo, hi = lo if lo is not None else ALL_CODES[0], hi if hi is not None else ALL_CODES[1]
    drift: list[Drift] = []
    with _one_snapshot():
        if elections is None:
            elections = Election.objects.select_related("region").filter(
                election_day__gte=timezone.localdate()
            )
        for election in elections:
            drift += _differences(
                election.code, stored(election, lo, hi), recount(election, lo, hi)
            )
    return drift


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """On PostgreSQL, kept and recounted figures read in one REPEATABLE READ snapshot, so a
    registration committing in between is not taken for drift. (SQLite: Renda's transactions
    take the write lock, so verify reads without one; run it when writers are quiet.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _differences(code: str, kept: Recount, counted: Recount) -> list[Drift]:
    drift = []
    for district in sorted(set(kept.rows) | set(counted.rows)):
        mine, real = kept.rows.get(district, Counter()), counted.rows.get(district, Counter())
        drift += [
            Drift(code, district, c, mine[c], real[c]) for c in COUNTERS if mine[c] != real[c]
        ]
    for key in sorted(set(kept.ethnicity) | set(counted.ethnicity)):
        if kept.ethnicity[key] != counted.ethnicity[key]:
            column = f"ethnicity_{key[1]:02d}"
            drift.append(Drift(code, key[0], column, kept.ethnicity[key], counted.ethnicity[key]))
    return drift


def rebuild(election: Election, lo: int | None = None, hi: int | None = None) -> int:
    """Replace the counters of ``election`` in [lo, hi] by a recount (应登记 is kept); returns
    the districts written. On PostgreSQL the counter table is locked EXCLUSIVE meanwhile:
    writers wait until the rebuild commits (the recount of a province takes a while)."""
    lo, hi = lo if lo is not None else ALL_CODES[0], hi if hi is not None else ALL_CODES[1]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {VoterTally._meta.db_table} IN EXCLUSIVE MODE")
        fresh = recount(election, lo, hi)
        in_range = {"election": election, "district_id__gte": lo, "district_id__lte": hi}
        VoterTally.objects.filter(**in_range).update(**dict.fromkeys(COUNTERS, 0))
        upsert(
            sorted(((election.pk, code), c) for code, c in fresh.rows.items()), COUNTERS, add=False
        )
        VoterTallyEthnicity.objects.filter(**in_range).delete()
        VoterTallyEthnicity.objects.bulk_create(
            [
                VoterTallyEthnicity(election=election, district_id=code, ethnicity=e, count=n)
                for (code, e), n in sorted(fresh.ethnicity.items())
            ],
            batch_size=2000,
        )
    _analyze()
    return len(fresh.rows)


def _analyze() -> None:
    """After a rebuild, fresh planner statistics for the counter tables: the dashboards join a
    region's districts to their counter rows, and with a new election's tens of thousands of
    rows unknown to the planner it probes them one by one (a province's page 240 ms instead of
    60 ms, bench/stats_dashboards.py) until autovacuum gets round to them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (VoterTally, VoterTallyEthnicity):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
