"""A worker that dies in the middle of a commit (test_commit.test_killed_worker_writes_nothing).

    python -m renda.voters.tests.importing.commit_victim ELECTION USERNAME ROWS

Commits ROWS people (numbered_id(0…), address 420104) in chunks of 100 and, once 300 are
written inside its transaction, prints "written <count> <backend pid>" and waits to be killed.
"""

from __future__ import annotations

import os
import sys
import time

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    django.setup()
    from django.db import connection

    from renda.accounts.models import User
    from renda.regions.models import District
    from renda.voters.importing import commit as stage
    from renda.voters.models import Election, Voter
    from renda.voters.tests.importing.commit_sheets import numbered_id, person, sheet

    code, username, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    stage.CHUNK_ROWS = 100
    checked = sheet(*(person(f"张{i}", numbered_id(i, "420104")) for i in range(rows)))

    def progress(done: int) -> None:
        if done >= 300:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            print(f"written {Voter.objects.count()} {pid}", flush=True)
            time.sleep(600)

    stage.commit(
        checked,
        actor=User.objects.get(username=username),
        election=Election.objects.get(code=code),
        district=District.objects.get(code=420102002001),
        run=None,
        progress=progress,
    )
    print("committed", flush=True)


if __name__ == "__main__":
    main()
