"""The registration counters (选民登记统计): one VoterTally row per (election, district), kept in
the transaction of every change to the register, and recounted from the register on demand.

Which rows a change touches: the counters of every *open* election (election day today or
later) whose area covers the district — usually one; an election's counters freeze when its
day has passed. Change-kind counters (三增三减), proxies and certificates belong to their own
election, and only while it is open.

How services use it::

    with tally.atomic():          # transaction.atomic() plus a frame collecting the deltas
        tally.watch(voter)        # SELECT … FOR UPDATE: the state the counters hold now
        … change and save the voter, record_change(…) …
    # at the end of the outermost frame, still inside the transaction: the watched voters are
    # read again, and the differences go out as one UPSERT, rows in (election, district) order

Contention: a row is one district of one election, so registrars of different districts never
wait for each other. Within a hot district the UPSERT holds the row's lock until the
transaction commits: registrations there serialise for the (short) rest of the transaction,
and because every frame writes its rows in one sorted statement, two transactions touching the
same districts lock them in the same order and cannot deadlock on the counters.
"""

from renda.voters.tally.counting import (
    ALL_CODES,
    CHANGE_KINDS,
    COUNTED_FIELDS,
    COUNTERS,
    STATUSES,
    STRUCTURE,
    Bands,
    Open,
    State,
    born_by,
    contribution,
    open_elections,
    open_elections_for,
)
from renda.voters.tally.frames import (
    atomic,
    certificate_changed,
    change_recorded,
    collecting,
    created,
    proxy_changed,
    voter_changed,
    voters_inserted,
    watch,
    watch_ids,
)
from renda.voters.tally.recount import (
    Drift,
    Recount,
    rebuild,
    recount,
    stored,
    verify,
    voter_filters,
)
from renda.voters.tally.store import apply, apply_ethnicity, by_child, rate, set_expected, totals

__all__ = [
    "ALL_CODES",
    "CHANGE_KINDS",
    "COUNTED_FIELDS",
    "COUNTERS",
    "STATUSES",
    "STRUCTURE",
    "Bands",
    "Drift",
    "Open",
    "Recount",
    "State",
    "apply",
    "apply_ethnicity",
    "atomic",
    "born_by",
    "by_child",
    "certificate_changed",
    "change_recorded",
    "collecting",
    "contribution",
    "created",
    "open_elections",
    "open_elections_for",
    "proxy_changed",
    "rate",
    "rebuild",
    "recount",
    "set_expected",
    "stored",
    "totals",
    "verify",
    "voter_changed",
    "voter_filters",
    "voters_inserted",
    "watch",
    "watch_ids",
]
