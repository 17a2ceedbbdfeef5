"""No ID number in clear: not in any table, not in the database file, not in logs or SQL."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renda.core.testing import Cast
from renda.voters import pii
from renda.voters.idnumbers import mask
from renda.voters.models import Voter
from renda.voters.services import certificates, register
from renda.voters.tests.conftest import RegisterVoter, make_id

pytestmark = pytest.mark.django_db


def _forms(number: str) -> list[str]:
    """The number as typed and the tell-tale middle part (birth date + sequence)."""
    return [number, number.lower(), number[6:17]]


def _every_value() -> str:
    """All rows of all tables as text (bytes decoded leniently)."""
    parts: list[str] = []
    for model in apps.get_models():
        for row in model._default_manager.all().values_list():
            for value in row:
                if isinstance(value, bytes | memoryview):
                    parts.append(bytes(value).decode("latin-1"))
                else:
                    parts.append(str(value))
    return "\n".join(parts)


def test_register_leaves_no_id_in_clear(
    cast: Cast, register_voter: RegisterVoter, caplog: pytest.LogCaptureFixture
) -> None:
    numbers = [make_id(seq=401 + i) for i in range(3)]
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        voters = [register_voter(f"隐私{i}", id_number=n) for i, n in enumerate(numbers)]
        register.voter_correct(
            actor=cast.registrar,
            voter=voters[0],
            election=voters[0].changes.get().election,  # type: ignore[arg-type]
            reason="更正住址",
            residence_address="江岸区大智路 1 号",
        )
        certificates.certificate_issue(
            actor=cast.registrar,
            election=voters[1].changes.get().election,  # type: ignore[arg-type]
            voter=voters[1],
        )
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    stored = _every_value()
    for number in numbers:
        for form in _forms(number):
            assert form not in stored
            assert form not in sql
            assert form not in caplog.text
    # …yet the register can still find and show them, through the key
    first = Voter.objects.get(id_hash=pii.id_hash(numbers[0]))
    assert pii.reveal(first.id_cipher) == numbers[0]
    assert pii.masked(first.id_cipher) == mask(numbers[0])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="scans the SQLite file itself")
@pytest.mark.django_db(transaction=True)  # VACUUM INTO cannot run inside a transaction
def test_the_sqlite_file_holds_no_id(register_voter: RegisterVoter) -> None:
    numbers = [make_id(seq=451 + i) for i in range(3)]
    for i, number in enumerate(numbers):
        register_voter(f"文件{i}", id_number=number)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(path)])
        data = path.read_bytes()
    assert "文件0".encode() in data  # the copy really holds the register…
    for number in numbers:
        for form in _forms(number):
            assert form.encode() not in data  # …but not the numbers
