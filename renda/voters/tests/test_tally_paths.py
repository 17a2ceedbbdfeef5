"""The counters on the other write paths: appeals, bulk registration, the import commit, and
the stats_verify command that recounts them."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, SIBLING_DISTRICT, Cast
from renda.regions.models import District
from renda.voters import tally
from renda.voters.bulk import BulkRow, voters_register_bulk
from renda.voters.idnumbers import check_id
from renda.voters.importing.commit import commit
from renda.voters.importing.contract import Checked, Outcome
from renda.voters.models import (
    AppealKind,
    ChangeKind,
    Election,
    RemovalReason,
    Source,
    Voter,
    VoterTally,
)
from renda.voters.services.appeals import appeal_decide, appeal_receive
from renda.voters.services.publication import list_publish_first
from renda.voters.services.register import Person, voter_remove
from renda.voters.tests.conftest import RegisterVoter, make_id
from renda.voters.tests.importing.commit_sheets import new_id, person, sheet
from renda.voters.tests.test_tally import TUJIA, counters, ethnicities, no_drift

pytestmark = pytest.mark.django_db


# --- Appeals --------------------------------------------------------------------------------


def test_upheld_appeals_count_once_through_the_register_services(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三", id_number=make_id(seq=201))
    li = register_voter("李四", id_number=make_id(seq=202))
    posted = list_publish_first(
        actor=cast.committee, election=election, district=District.objects.get(code=DISTRICT)
    )

    def appeal(kind: AppealKind, subject: str, **decision: Any) -> None:
        received = appeal_receive(
            actor=cast.registrar,
            voter_list=posted,
            kind=kind,
            appellant="王五",
            subject_name=subject,
            content="申诉事项",
            voter=Voter.objects.filter(name=subject).first(),
        )
        appeal_decide(
            actor=cast.committee, appeal=received, upheld=True, decision="成立", **decision
        )

    appeal(
        AppealKind.OMITTED,
        "赵六",
        person=Person(id_number=make_id(seq=203, male=False), name="赵六", ethnicity=TUJIA),
    )
    appeal(AppealKind.WRONGLY_LISTED, "李四")
    appeal(AppealKind.WRONG_DETAILS, "张三", corrections={"ethnicity": TUJIA})
    received = appeal_receive(
        actor=cast.registrar,
        voter_list=posted,
        kind=AppealKind.WRONGLY_LISTED,
        appellant="王五",
        subject_name="张三",
        content="不成立的申诉",
    )
    appeal_decide(actor=cast.committee, appeal=received, upheld=False, decision="不成立")

    now = counters(election)
    assert (now["registered"], now["removed"], now["male"], now["female"]) == (2, 1, 1, 1)
    assert now["minority"] == 2 and ethnicities(election) == {TUJIA: 2}
    assert Voter.objects.get(pk=li.pk).removal_reason == RemovalReason.ERROR
    no_drift()


# --- Bulk registration ----------------------------------------------------------------------


def bulk_row(name: str, district: int = DISTRICT, *, male: bool = True, **extra: Any) -> BulkRow:
    number = make_id(born=date(1980, 2, 3), male=male)
    check = check_id(number)
    assert check.birth_date and check.sex
    return BulkRow(
        id_number=number,
        name=name,
        sex=check.sex,
        birth_date=check.birth_date,
        district_code=district,
        **extra,
    )


def test_bulk_registration_counts_from_the_rows_it_wrote(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    already = register_voter("张三", id_number=make_id(seq=77))
    rows = [
        bulk_row("李四", kind=ChangeKind.NEWLY_18),
        bulk_row("王芳", male=False, ethnicity=TUJIA),
        bulk_row("赵六", DISTRICT_2, kind=ChangeKind.MOVED_IN, residence_kind="certificate"),
        bulk_row("陈七", SIBLING_DISTRICT, kind=ChangeKind.RESTORED, effective_date=date.today()),
        BulkRow(  # already registered: a conflict, not counted
            id_number=check_id(make_id(seq=77)).normalized or "",
            name="张三",
            sex=already.sex,
            birth_date=already.birth_date,
            district_code=DISTRICT,
        ),
    ]
    result = voters_register_bulk(actor=None, election=election, rows=rows, source=Source.DEMO)

    assert result.created == 4 and len(result.conflicts) == 1
    here = counters(election)
    assert (here["registered"], here["male"], here["female"], here["newly_18"]) == (3, 2, 1, 1)
    assert here["age_36_59"] == 3 and ethnicities(election) == {1: 2, TUJIA: 1}
    assert counters(election, DISTRICT_2) == {
        "registered": 1,
        "male": 1,
        "age_36_59": 1,
        "certificate_holders": 1,
        "moved_in": 1,
    }
    assert counters(election, SIBLING_DISTRICT)["restored"] == 1
    no_drift()


# --- The import commit ----------------------------------------------------------------------


def load(checked: Checked, cast: Cast, election: Election, **options: Any) -> Outcome:
    place = District.objects.get(code=DISTRICT)
    return commit(
        checked, actor=cast.registrar, election=election, district=place, run=None, **options
    )


def test_an_import_counts_its_rows_and_a_dry_run_counts_nothing(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("老王")
    rows = sheet(
        person("张三", kind="新满十八周岁"),
        person("李四", new_id(), ethnicity="土家族", code=TUJIA, residence_kind="持选民资格证明"),
        person("王五", kind="迁入"),
    )
    before = counters(election)
    dry = load(rows, cast, election, dry_run=True)
    assert dry.accepted == 3 and counters(election) == before

    assert load(rows, cast, election).accepted == 3
    now = counters(election)
    assert (now["registered"], now["male"], now["newly_18"], now["moved_in"]) == (4, 4, 1, 1)
    assert (now["minority"], now["certificate_holders"]) == (1, 1)
    assert ethnicities(election) == {1: 3, TUJIA: 1}
    no_drift()

    again = load(rows, cast, election)  # the same file again: nothing new
    assert again.already_registered == 3 and counters(election) == now
    no_drift()


def test_an_update_import_moves_a_corrected_ethnicity(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    number, other = new_id(), new_id()
    load(sheet(person("张三", number), person("李四", other)), cast, election)
    assert ethnicities(election) == {1: 2}

    fixed = load(
        sheet(
            person("张三", number, ethnicity="土家族", code=TUJIA),
            person("李四", other, ethnicity="汉族", phone="13800000000"),
        ),
        cast,
        election,
        update=True,
    )
    assert fixed.updated == 2
    assert counters(election)["minority"] == 1 and ethnicities(election) == {1: 1, TUJIA: 1}
    no_drift()

    voter_remove(
        actor=cast.registrar,
        voter=Voter.objects.get(name="张三"),
        election=election,
        reason=RemovalReason.MOVED_OUT,
    )
    assert "minority" not in counters(election)
    no_drift()


# --- stats_verify ---------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("stats_verify", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_stats_verify_reports_drift_and_repairs_it(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三")
    register_voter("李四", district=DISTRICT_3, actor=cast.county_staff)
    code, out, _err = run()
    assert code == 0 and "no drift" in out

    VoterTally.objects.filter(election=election, district_id=DISTRICT).update(registered=5)
    code, out, err = run("--json")
    report = json.loads(out)
    assert code == 1
    assert report["drift"] == [
        {
            "election": "hb-2026",
            "district": DISTRICT,
            "column": "registered",
            "stored": 5,
            "counted": 1,
        }
    ]
    assert report["elections"] == ["hb-2026"] and report["districts"] == 2
    assert run("--region", "420102003")[0] == 0  # 一元街道 is fine
    code, out, err = run("--region", "420102002")
    assert code == 1 and f"hb-2026\t{DISTRICT}\tregistered\t5\t1" in out and "DRIFT" in err

    code, out, _err = run("--repair", "--election", "hb-2026", "--json")
    assert code == 0 and json.loads(out)["repaired"] is True
    assert counters(election)["registered"] == 1
    assert run()[0] == 0


def test_stats_verify_refuses_unknown_codes(cast: Cast, election: Election) -> None:
    assert run("--election", "nope")[0] == 1
    code, _out, err = run("--region", "12345")
    assert code == 1 and "格式不正确" in err
    assert run("--region", "429900")[0] == 1
    assert run("--region", str(DISTRICT_2))[0] == 0


def test_an_election_past_its_day_is_frozen_and_not_checked(
    cast: Cast, election: Election, register_voter: RegisterVoter
) -> None:
    register_voter("张三")
    Election.objects.filter(pk=election.pk).update(
        election_day=timezone.localdate().replace(year=2000),
        registration_opens=date(1999, 1, 1),
        registration_closes=date(1999, 12, 1),
        publication_deadline=date(1999, 12, 1),
    )
    register_voter("李四", district=DISTRICT_2, actor=cast.county_staff)
    assert counters(election, DISTRICT_2) == {}  # frozen: not counted any more
    assert run()[0] == 0 and tally.verify() == []
    assert run("--election", "hb-2026")[0] == 1  # asked for explicitly: today's register differs
