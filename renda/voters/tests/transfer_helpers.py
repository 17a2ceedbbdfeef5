"""Shared by the transfer, conflict and self-service tests: a registrar per district, people."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.testing import PASSWORD
from renda.regions.models import District
from renda.voters.models import Election, Voter
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.conftest import make_id


def registrar_of(code: int, username: str) -> User:
    """A registrar (选区登记员) of one district, logging in with the cast's password."""
    user = User.objects.create(
        username=username, real_name=f"登记员{username}", password=make_password(PASSWORD)
    )
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=code)
    return user


def district(code: int) -> District:
    return District.objects.select_related("township").get(code=code)


def register_in(
    election: Election, code: int, actor: User, name: str = "张三", id_number: str | None = None
) -> Voter:
    return voter_register(
        actor=actor,
        election=election,
        district=district(code),
        person=Person(id_number=id_number or make_id(), name=name),
    )
