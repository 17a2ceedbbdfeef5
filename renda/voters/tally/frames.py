"""The deltas of one transaction: collected by the services' hooks, written at its end."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import polars as pl
from django.db import connection, transaction
from django.db.models import Count

from renda.voters.models import (
    Certificate,
    Proxy,
    ResidenceKind,
    Sex,
    Voter,
    VoterChange,
    VoterTally,
)
from renda.voters.tally.counting import (
    CHANGE_KINDS,
    CHUNK,
    HAN,
    STATE_FIELDS,
    Bands,
    Deltas,
    EthnicDeltas,
    Open,
    State,
    contribution,
    open_elections,
)
from renda.voters.tally.store import apply, apply_ethnicity


@dataclass
class _Frame:
    """What one tally.atomic() block changed; merged into the enclosing block at its end."""

    watched: dict[int, State | None] = field(default_factory=dict)  # voter id → state before
    states: list[tuple[State, int]] = field(default_factory=list)  # explicit (state, ±1)
    kinds: Counter[tuple[int, int, str]] = field(default_factory=Counter)  # (election, code, kind)
    proxies: Counter[tuple[int, int]] = field(default_factory=Counter)  # (election, voter) → ±n
    direct: Deltas = field(default_factory=lambda: defaultdict(Counter))  # certificates
    frames: list[tuple[pl.DataFrame, int]] = field(default_factory=list)  # (new rows, election)

    def merge(self, inner: _Frame) -> None:
        for voter_id, before in inner.watched.items():
            self.watched.setdefault(voter_id, before)
        self.states += inner.states
        self.kinds.update(inner.kinds)
        self.proxies.update(inner.proxies)
        for key, counts in inner.direct.items():
            self.direct[key].update(counts)
        self.frames += inner.frames


_local = threading.local()


def _stack() -> list[_Frame]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    stack: list[_Frame] = _local.stack
    return stack


@contextmanager
def collecting() -> Iterator[None]:
    """Collect the deltas of the block (which must run inside a transaction) and write them
    when the outermost such block ends; an exception drops the block's deltas."""
    stack = _stack()
    stack.append(_Frame())
    try:
        yield
    except BaseException:
        stack.pop()
        raise
    frame = stack.pop()
    if stack:
        stack[-1].merge(frame)
    else:
        _flush(frame)


@contextmanager
def atomic() -> Iterator[None]:
    """transaction.atomic() whose counter deltas are written at its end, inside it."""
    with transaction.atomic(), collecting():
        yield


def _current(what: str) -> _Frame:
    stack = _stack()
    if not stack:
        raise RuntimeError(f"tally.{what}() outside tally.atomic()")
    return stack[-1]


def watch(voter: Voter) -> None:
    """Lock ``voter``'s row and remember what the counters hold for it; at the end of the
    frame the row is read again and the difference counted."""
    frame = _current("watch")
    if not any(voter.pk in f.watched for f in _stack()):
        frame.watched.update(_states([voter.pk], lock=True))


def watch_ids(ids: Sequence[int]) -> None:
    """watch() for many voters at once (a set-based update such as the import's fixes)."""
    frame = _current("watch_ids")
    seen = {i for f in _stack() for i in f.watched}
    frame.watched.update(_states([i for i in ids if i not in seen], lock=True))


def created(voter: Voter) -> None:
    """A registration row inserted in this frame: counted as read at the frame's end."""
    _current("created").watched[voter.pk] = None


def voter_changed(before: State | None, after: State | None) -> None:
    """An explicit change of one registration (None: no row), for callers that keep the
    states themselves; prefer watch(), which reads them from the locked row."""
    with _frame_or_flush() as frame:
        if before is not None:
            frame.states.append((before, -1))
        if after is not None:
            frame.states.append((after, +1))


def change_recorded(change: VoterChange) -> None:
    """A VoterChange row: the six kinds of 三增三减 count on the change's own election."""
    if change.kind in CHANGE_KINDS and change.election_id is not None:
        with _frame_or_flush() as frame:
            frame.kinds[(change.election_id, change.district_code, change.kind)] += 1


def proxy_changed(proxy: Proxy, sign: int) -> None:
    """A proxy given (+1) or revoked (−1): counted in the principal's district as it stands at
    the end of the frame (the principal is watched, so a concurrent move waits)."""
    frame = _current("proxy_changed")
    watch(proxy.principal)
    frame.proxies[(proxy.election_id, proxy.principal_id)] += sign


def certificate_changed(certificate: Certificate, sign: int) -> None:
    """A certificate issued (+1) or revoked (−1), in the issuing district."""
    with _frame_or_flush() as frame:
        frame.direct[(certificate.election_id, certificate.district_id)]["certificates_issued"] += (
            sign
        )


def voters_inserted(rows: pl.DataFrame, *, election_id: int) -> None:
    """New REGISTERED rows written set-based (bulk registration, import), one change row each
    of election ``election_id``. ``rows``: district_id, sex, birth_date, ethnicity,
    residence_kind, kind — the values just written, aggregated with one group_by."""
    if rows.height:
        with _frame_or_flush() as frame:
            frame.frames.append((rows, election_id))


@contextmanager
def _frame_or_flush() -> Iterator[_Frame]:
    stack = _stack()
    if stack:
        yield stack[-1]
        return
    frame = _Frame()
    yield frame
    _flush(frame)


def _states(ids: Sequence[int], *, lock: bool) -> dict[int, State | None]:
    found: dict[int, State | None] = {}
    for start in range(0, len(ids), CHUNK):
        rows = Voter.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
        if lock:
            rows = rows.select_for_update()
        for values in rows.values_list(*STATE_FIELDS):
            row = dict(zip(STATE_FIELDS, values, strict=True))
            voter_id = row.pop("id")
            found[voter_id] = State(**row)
    return found


# --- Flushing a frame -----------------------------------------------------------------------


def _flush(frame: _Frame) -> None:
    if not any(
        (frame.watched, frame.states, frame.kinds, frame.proxies, frame.direct, frame.frames)
    ):
        return
    if connection.vendor == "postgresql":
        # Before reading which elections are open, so that a rebuild (which takes this table
        # EXCLUSIVE) either sees this transaction's rows or is seen by it — never neither.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {VoterTally._meta.db_table} IN ROW EXCLUSIVE MODE")
    opens = open_elections()
    deltas: Deltas = defaultdict(Counter)
    ethnic: EthnicDeltas = Counter()
    after = _states(list(frame.watched), lock=False)
    for voter_id, before in frame.watched.items():
        _count(deltas, ethnic, opens, before, -1)
        _count(deltas, ethnic, opens, after.get(voter_id), +1)
    for state, sign in frame.states:
        _count(deltas, ethnic, opens, state, sign)
    open_ids = {e.pk for e in opens}
    for (election_id, code, kind), n in frame.kinds.items():
        if election_id in open_ids:
            deltas[(election_id, code)][kind] += n
    for key, counts in frame.direct.items():
        if key[0] in open_ids:
            deltas[key].update(counts)
    _count_proxies(deltas, frame, after, open_ids)
    for rows, election_id in frame.frames:
        _count_frame(deltas, ethnic, opens, rows, election_id)
    apply(deltas)
    apply_ethnicity(ethnic)


def _count(
    deltas: Deltas, ethnic: EthnicDeltas, opens: list[Open], state: State | None, sign: int
) -> None:
    if state is None:
        return
    for election in opens:
        if not election.covers(state.district_id):
            continue
        key = (election.pk, state.district_id)
        for column, n in contribution(state, election.day, election.feb29).items():
            deltas[key][column] += sign * n
        if state.active:
            ethnic[(election.pk, state.district_id, state.ethnicity)] += sign


def _count_proxies(
    deltas: Deltas, frame: _Frame, after: dict[int, State | None], open_ids: set[int]
) -> None:
    """Proxies given or revoked in the frame, and those of principals who changed district."""
    for (election_id, voter_id), n in frame.proxies.items():
        state = after.get(voter_id)
        if election_id in open_ids and state is not None:
            deltas[(election_id, state.district_id)]["proxies"] += n
    moved = {
        voter_id: (before.district_id, state.district_id)
        for voter_id, before in frame.watched.items()
        if before is not None
        and (state := after.get(voter_id)) is not None
        and before.district_id != state.district_id
    }
    if not moved:
        return
    active = (
        Proxy.objects.filter(
            principal_id__in=list(moved), revoked_at__isnull=True, election_id__in=open_ids
        )
        .values_list("election_id", "principal_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for election_id, voter_id, n in active:
        # The frame's own proxies are already counted at the new district.
        carried = n - frame.proxies.get((election_id, voter_id), 0)
        old, new = moved[voter_id]
        deltas[(election_id, old)]["proxies"] -= carried
        deltas[(election_id, new)]["proxies"] += carried


def _count_frame(
    deltas: Deltas, ethnic: EthnicDeltas, opens: list[Open], rows: pl.DataFrame, election_id: int
) -> None:
    """New REGISTERED rows of a bulk path, aggregated by polars."""
    if any(e.pk == election_id for e in opens):
        for code, kind, n in (
            rows.filter(pl.col("kind").is_in(CHANGE_KINDS))
            .group_by("district_id", "kind")
            .len()
            .iter_rows()
        ):
            deltas[(election_id, code)][kind] += n
    for election in opens:
        inside = rows.filter(pl.col("district_id").is_between(election.lo, election.hi))
        if inside.height == 0:
            continue
        for row in (
            inside.group_by("district_id").agg(_frame_sums(election.bands)).iter_rows(named=True)
        ):
            key = (election.pk, row.pop("district_id"))
            deltas[key].update({c: n for c, n in row.items() if n})
        for code, ethnicity, n in inside.group_by("district_id", "ethnicity").len().iter_rows():
            ethnic[(election.pk, code, ethnicity)] += n


def _frame_sums(bands: Bands) -> list[pl.Expr]:
    born = pl.col("birth_date")
    return [
        pl.len().alias("registered"),
        (pl.col("sex") == Sex.MALE.value).sum().alias("male"),
        (pl.col("sex") != Sex.MALE.value).sum().alias("female"),
        ((born <= bands.by18) & (born > bands.by36)).sum().alias("age_18_35"),
        ((born <= bands.by36) & (born > bands.by60)).sum().alias("age_36_59"),
        (born <= bands.by60).sum().alias("age_60_plus"),
        (pl.col("ethnicity") != HAN).sum().alias("minority"),
        (pl.col("residence_kind") == ResidenceKind.CERTIFICATE.value)
        .sum()
        .alias("certificate_holders"),
    ]
