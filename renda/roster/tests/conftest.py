"""Roster fixtures: the cast and an open election (from the voter tests), and a way to load a
roster or reference list through the real import path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from renda.accounts.models import User
from renda.core.testing import Cast
from renda.imports.models import ImportRun
from renda.imports.services import import_run_create
from renda.roster.models import BaseBatch
from renda.voters.models import Election
from renda.voters.tests.conftest import election, make_id, register_voter
from renda.voters.tests.importing import files

ROSTER_HEADER = ["公民身份号码", "姓名", "性别", "民族", "乡镇（街道）", "户籍所在村居", "户籍地址"]

LoadSheet = Callable[..., ImportRun]


def roster_rows(*people: Sequence[Any]) -> list[list[Any]]:
    return [ROSTER_HEADER, *[list(p) for p in people]]


@pytest.fixture
def load_sheet(
    cast: Cast,
    election: Election,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> LoadSheet:
    """load_sheet(rows, source="household", region=CITY, actor=cast.city_staff, ...) → the
    finished ImportRun (the worker runs it on commit, as in production)."""

    def load(
        rows: list[list[Any]],
        *,
        source: str = "household",
        region: int | None = None,
        actor: User | None = None,
        with_election: bool = True,
        reference: str = "",
        name: str = "基础数据.xlsx",
    ) -> ImportRun:
        from renda.core.testing import CITY

        data = files.xlsx({"名单": rows}, merge_title=False)
        with django_capture_on_commit_callbacks(execute=True):
            run = import_run_create(
                actor=actor or cast.city_staff,
                kind="base_data",
                region_code=region or CITY,
                filename=name,
                data=data,
                options={
                    "source": source,
                    "region": region or CITY,
                    "election": election.pk if with_election else None,
                    "reference": reference,
                },
            )
        run.refresh_from_db()
        return run

    return load


def batch_of(run: ImportRun) -> BaseBatch:
    return BaseBatch.objects.get(import_run=run)


__all__ = ["batch_of", "election", "make_id", "register_voter", "roster_rows"]
