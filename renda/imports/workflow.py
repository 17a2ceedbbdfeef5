"""The life of an import run, as a table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未通过")
    CANCELLED = "cancelled", _("已取消")


TRANSITIONS: dict[State, frozenset[State]] = {
    State.QUEUED: frozenset({State.RUNNING, State.CANCELLED, State.FAILED}),
    # A worker killed mid-run leaves RUNNING behind; a retry starts it again.
    State.RUNNING: frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED, State.RUNNING}),
    State.FAILED: frozenset({State.QUEUED}),
    State.CANCELLED: frozenset({State.QUEUED}),
    State.SUCCEEDED: frozenset(),
}
FINISHED = frozenset({State.SUCCEEDED, State.FAILED, State.CANCELLED})


def can_move(old: str, new: str) -> bool:
    return State(new) in TRANSITIONS[State(old)]
