"""Every view that takes an object from the URL answers 404 to someone outside its scope.

The outsider is county staff of the sibling county 江岸区's neighbour 江汉区: a real, fully
privileged account that merely sits in the wrong place. Each row is also opened by the object's
owner (county staff of 江岸区), so a wrong URL cannot pass as a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from renda.accounts.models import RoleAssignment
from renda.api.models import ApiToken
from renda.api.services import token_create
from renda.core import privatefiles
from renda.core.models import AuditEvent
from renda.core.testing import COUNTY, DISTRICT, DISTRICT_2, TOWNSHIP, Cast
from renda.imports.models import ImportRun
from renda.imports.workflow import State


@dataclass
class World:
    """The 江岸区 objects the rows point at."""

    cast: Cast
    assignment: RoleAssignment  # the registrar's grant on 大智街道第一选区
    run: ImportRun  # a failed account import by county staff, with its files kept
    token: ApiToken  # county staff's API token


@pytest.fixture
def world(cast: Cast) -> World:
    run = ImportRun.objects.create(
        kind="accounts",
        created_by=cast.county_staff,
        region_code=COUNTY,
        original_name="账号.csv",
        upload=privatefiles.store(b"username\n", folder="uploads"),
        report=privatefiles.store(b"report", folder="reports"),
        output=privatefiles.store(b"output", folder="outputs"),
        state=State.FAILED,
    )
    token, _plain = token_create(actor=cast.county_staff, name="同步")
    assignment = RoleAssignment.objects.get(user=cast.registrar)
    return World(cast, assignment, run, token)


@dataclass(frozen=True)
class Row:
    name: str
    method: str  # "get" or "post"
    url: Callable[[World], str]
    owner_status: int  # what county staff of 江岸区 gets on the same request

    def __str__(self) -> str:
        return self.name


ROWS = [
    Row("region detail", "get", lambda w: f"/regions/{COUNTY}/", 200),
    Row("township detail", "get", lambda w: f"/regions/{TOWNSHIP}/", 200),
    Row("district detail", "get", lambda w: f"/regions/districts/{DISTRICT}/", 200),
    Row("district create", "get", lambda w: f"/regions/{TOWNSHIP}/districts/new/", 200),
    Row("district create (post)", "post", lambda w: f"/regions/{TOWNSHIP}/districts/new/", 200),
    Row("district edit", "get", lambda w: f"/regions/districts/{DISTRICT}/edit/", 200),
    Row("district edit (post)", "post", lambda w: f"/regions/districts/{DISTRICT}/edit/", 200),
    Row("district delete", "post", lambda w: f"/regions/districts/{DISTRICT_2}/delete/", 302),
    Row("account detail", "get", lambda w: f"/accounts/{w.cast.registrar.pk}/", 200),
    Row("account edit", "post", lambda w: f"/accounts/{w.cast.registrar.pk}/edit/", 302),
    Row("account set active", "post", lambda w: f"/accounts/{w.cast.registrar.pk}/active/", 302),
    Row(
        "account reset password",
        "post",
        lambda w: f"/accounts/{w.cast.registrar.pk}/reset-password/",
        200,
    ),
    Row("role grant", "post", lambda w: f"/accounts/{w.cast.registrar.pk}/roles/", 302),
    Row(
        "role revoke",
        "post",
        lambda w: f"/accounts/{w.cast.registrar.pk}/roles/{w.assignment.pk}/revoke/",
        302,
    ),
    Row("import detail", "get", lambda w: f"/imports/{w.run.pk}/", 200),
    Row("import progress", "get", lambda w: f"/imports/{w.run.pk}/progress/", 200),
    Row("import report", "get", lambda w: f"/imports/{w.run.pk}/report.xlsx", 200),
    Row("import output", "get", lambda w: f"/imports/{w.run.pk}/output.xlsx", 200),
    Row("import cancel", "post", lambda w: f"/imports/{w.run.pk}/cancel/", 302),
    Row("import retry", "post", lambda w: f"/imports/{w.run.pk}/retry/", 302),
    Row("api token revoke", "post", lambda w: f"/api-tokens/{w.token.pk}/revoke/", 302),
]


def _request(client: Client, row: Row, world: World) -> int:
    url = row.url(world)
    response = client.get(url) if row.method == "get" else client.post(url, {})
    return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_outsider_gets_404_and_changes_nothing(world: World, row: Row) -> None:
    outsider = world.cast.client(world.cast.outsider)  # logging in is audited too
    audit_rows = AuditEvent.objects.count()
    assert _request(outsider, row, world) == 404
    assert AuditEvent.objects.count() == audit_rows  # every write is audited: none happened
    assert _request(world.cast.client(world.cast.county_staff), row, world) == row.owner_status


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_a_person_without_any_role_gets_404(world: World, row: Row) -> None:
    assert _request(world.cast.client(world.cast.nobody), row, world) == 404


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_logged_out_visitor_is_sent_to_login(world: World, row: Row) -> None:
    url = row.url(world)
    client = Client()
    response = client.get(url) if row.method == "get" else client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
