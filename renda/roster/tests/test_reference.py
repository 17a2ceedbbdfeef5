"""Reference lists (deceased, deprived, restored, suspended): matched by ID hash, each match a
review item the district applies (through the register's services) or dismisses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from renda.core.errors import ServiceError
from renda.core.testing import DISTRICT, DISTRICT_3, Cast
from renda.imports.workflow import State
from renda.roster.models import ReviewEvent, ReviewItem, ReviewKind, ReviewStatus, SuggestedAction
from renda.roster.services.review import (
    references_rematch,
    review_item_apply,
    review_item_dismiss,
    suggested_evidence,
)
from renda.roster.tests.conftest import LoadSheet, batch_of, make_id
from renda.voters.models import ChangeKind, Election, RemovalReason, Status, VoterChange
from renda.voters.services.register import voter_remove
from renda.voters.tests.conftest import RegisterVoter

pytestmark = pytest.mark.django_db

DECEASED_HEADER = ["公民身份号码", "姓名", "死亡日期", "死亡证明编号"]


def test_a_deceased_list_matches_the_register_and_queues_items(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    dead = register_voter("张三", id_number=make_id())
    alive = register_voter("李四", id_number=make_id())
    from renda.voters import pii

    run = load_sheet(
        [
            DECEASED_HEADER,
            [pii.reveal(dead.id_cipher), "张三", "2026-10-01", "死证 001"],
            [make_id(), "不在名册", "2026-10-02", "死证 002"],
        ],
        source="deceased",
        with_election=False,
        reference="江岸民函〔2026〕3号",
    )
    assert run.state == State.SUCCEEDED, run.message
    assert batch_of(run).matched == 1
    item = ReviewItem.objects.get()
    assert (item.kind, item.voter, item.district_id) == (ReviewKind.DECEASED, dead, DISTRICT)
    assert item.suggested_action == SuggestedAction.REMOVE_DECEASED
    assert item.base_record is not None and item.base_record.effective_date == date(2026, 10, 1)
    assert "江岸民函〔2026〕3号" in suggested_evidence(item) and "死证 001" in suggested_evidence(
        item
    )
    assert alive.status == Status.REGISTERED
    # matching again (a cross-check run) adds nothing
    assert references_rematch() == 0


def test_applying_removes_the_voter_with_reason_and_evidence(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    from renda.voters import pii

    dead = register_voter("张三", id_number=make_id())
    load_sheet(
        [DECEASED_HEADER, [pii.reveal(dead.id_cipher), "张三", "2026-10-01", "死证 001"]],
        source="deceased",
        with_election=False,
    )
    item = ReviewItem.objects.get()
    review_item_apply(
        actor=cast.registrar, item=item, election=election, evidence="死证 001", note="已核实"
    )
    dead.refresh_from_db()
    assert (dead.status, dead.removal_reason) == (Status.REMOVED, RemovalReason.DECEASED)
    change = VoterChange.objects.get(voter=dead, kind=ChangeKind.DECEASED)
    assert change.evidence == "死证 001" and change.effective_date == date(2026, 10, 1)
    item.refresh_from_db()
    assert (item.status, item.decided_by, item.evidence) == (
        ReviewStatus.APPLIED,
        cast.registrar,
        "死证 001",
    )
    assert ReviewEvent.objects.get(item=item).new == ReviewStatus.APPLIED
    with pytest.raises(ServiceError, match="已处理"):
        review_item_dismiss(actor=cast.registrar, item=item, note="再来一次")


def test_dismissing_needs_a_note_and_changes_nothing(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    from renda.voters import pii

    voter = register_voter("张三", id_number=make_id())
    load_sheet(
        [DECEASED_HEADER, [pii.reveal(voter.id_cipher), "张三", "2026-10-01", ""]],
        source="deceased",
        with_election=False,
    )
    item = ReviewItem.objects.get()
    with pytest.raises(ServiceError, match="理由"):
        review_item_dismiss(actor=cast.registrar, item=item, note=" ")
    review_item_dismiss(actor=cast.registrar, item=item, note="同名同号系录入错误，本人健在")
    item.refresh_from_db()
    voter.refresh_from_db()
    assert item.status == ReviewStatus.DISMISSED and voter.status == Status.REGISTERED
    assert references_rematch() == 0  # a dismissed match is not queued again


def test_deprived_restored_and_suspended_lists(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    from renda.voters import pii

    deprived = register_voter("剥夺", id_number=make_id())
    ended = register_voter("期满", id_number=make_id())
    suspended = register_voter("停止", id_number=make_id())
    restored = register_voter("恢复", id_number=make_id())
    voter_remove(
        actor=cast.registrar,
        voter=restored,
        election=election,
        reason=RemovalReason.DEPRIVED,
        evidence="判决书 1",
    )
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    number = pii.reveal
    load_sheet(
        [
            ["公民身份号码", "姓名", "判决日期", "剥夺政治权利截止日期", "文书编号"],
            [number(deprived.id_cipher), "剥夺", "2026-09-01", "2029-09-01", "(2026)鄂01刑初1号"],
            [number(ended.id_cipher), "期满", "2020-09-01", yesterday, "(2020)鄂01刑初9号"],
        ],
        source="deprived",
        with_election=False,
    )
    load_sheet(
        [
            ["公民身份号码", "姓名", "恢复政治权利日期", "文书编号"],
            [number(restored.id_cipher), "恢复", "2026-08-01", "矫正 7"],
        ],
        source="restored",
        with_election=False,
    )
    load_sheet(
        [
            ["公民身份号码", "姓名", "决定日期", "文书编号"],
            [number(suspended.id_cipher), "停止", "2026-10-10", "检察 3"],
        ],
        source="suspended",
        with_election=False,
    )
    items = {i.voter.name: i for i in ReviewItem.objects.select_related("voter") if i.voter}
    assert set(items) == {"剥夺", "恢复", "停止"}  # an ended deprivation concerns nobody
    for name in ("剥夺", "恢复", "停止"):
        item = items[name]
        review_item_apply(
            actor=cast.registrar, item=item, election=election, evidence=suggested_evidence(item)
        )
    deprived.refresh_from_db()
    restored.refresh_from_db()
    suspended.refresh_from_db()
    assert (deprived.status, deprived.removal_reason) == (Status.REMOVED, RemovalReason.DEPRIVED)
    assert restored.status == Status.REGISTERED
    assert VoterChange.objects.get(voter=restored, kind=ChangeKind.RESTORED).effective_date == date(
        2026, 8, 1
    )
    assert suspended.status == Status.SUSPENDED


def test_a_restored_list_needs_the_court_date(cast: Cast, load_sheet: LoadSheet) -> None:
    run = load_sheet(
        [["公民身份号码", "姓名"], [make_id(), "恢复"]], source="restored", with_election=False
    )
    assert run.state == State.SUCCEEDED and run.rejected == 1
    assert batch_of(run).accepted == 0


def test_a_registrar_cannot_decide_a_sibling_districts_item(
    cast: Cast, election: Election, load_sheet: LoadSheet, register_voter: RegisterVoter
) -> None:
    from renda.voters import pii

    other = register_voter(
        "张三", district=DISTRICT_3, actor=cast.county_staff, id_number=make_id()
    )
    load_sheet(
        [DECEASED_HEADER, [pii.reveal(other.id_cipher), "张三", "2026-10-01", "死证"]],
        source="deceased",
        with_election=False,
    )
    item = ReviewItem.objects.get()
    with pytest.raises(ServiceError, match="无权"):
        review_item_apply(actor=cast.registrar, item=item, election=election, evidence="死证")
    other.refresh_from_db()
    assert other.status == Status.REGISTERED


def test_an_unreadable_date_refuses_the_row_naming_column_and_value(
    cast: Cast, load_sheet: LoadSheet
) -> None:
    run = load_sheet(
        [DECEASED_HEADER, [make_id(), "甲", "上个月", "死证"], [make_id(), "乙", "2026-10-01", ""]],
        source="deceased",
        with_election=False,
    )
    assert run.state == State.SUCCEEDED and run.rejected == 1
    assert batch_of(run).accepted == 1
    response = cast.client(cast.city_staff).get(f"/imports/{run.pk}/report.xlsx")
    assert response.status_code == 200
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    text = str(rows.to_python())
    assert "“死亡日期”列的日期“上个月”无法识别" in text
