"""The transfer pages, the banner on the register, the home to-do counters, notifications."""

from __future__ import annotations

import pytest

from renda.accounts.models import User
from renda.core.models import Notification
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.voters import pii
from renda.voters.models import (
    Election,
    EvidenceKind,
    Status,
    Transfer,
    TransferStatus,
    Voter,
)
from renda.voters.services import transfers as services
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


@pytest.fixture
def person(election: Election, b: User) -> Voter:
    return register_in(election, DISTRICT_2, b, "李四")


@pytest.fixture
def transfer(cast: Cast, election: Election, person: Voter) -> Transfer:
    return services.transfer_request(
        actor=cast.registrar,
        election=election,
        voter=person,
        to_district=district(DISTRICT),
        evidence_kind=EvidenceKind.RESIDENCE,
        evidence="居住证 0042",
    )


def test_asking_through_the_pages(cast: Cast, election: Election, person: Voter) -> None:
    client = cast.client(cast.registrar)
    number = pii.reveal(person.id_cipher)
    page = client.get("/voters/transfers/new/").content.decode()
    assert 'data-testid="find-form"' in page
    found = client.post("/voters/transfers/new/", {"action": "find", "id_number": number})
    assert found["Cache-Control"] == "no-store"
    page = found.content.decode()
    assert "李四" in page and "大智街道 第二选区" in page and pii.masked(person.id_cipher) in page
    response = client.post(
        "/voters/transfers/new/",
        {
            "action": "request",
            "id_number": number,
            "to_district": str(DISTRICT),
            "evidence_kind": "residence",
            "evidence": "居住证 0042",
            "residence_kind": "resident",
        },
    )
    transfer = Transfer.objects.get()
    assert response["Location"] == f"/voters/transfers/{transfer.pk}/"
    assert transfer.evidence == "居住证 0042" and transfer.requested_by == cast.registrar
    # someone nobody registered
    page = client.post(
        "/voters/transfers/new/", {"action": "find", "id_number": "11010519491231002X"}
    ).content.decode()
    assert "未在全省查到" in page


def test_the_origin_sees_it_first_and_confirms(
    cast: Cast, b: User, person: Voter, transfer: Transfer
) -> None:
    origin = cast.client(b)
    register = origin.get("/voters/").content.decode()
    assert 'data-testid="transfer-banner"' in register and "有 1 项转移申请" in register
    listing = origin.get("/voters/transfers/").content.decode()
    awaiting = listing.split('data-testid="awaiting"')[1].split("</table>")[0]
    assert "李四" in awaiting and "还剩" in awaiting
    assert 'data-testid="awaiting-count">1<' in listing
    page = origin.get(f"/voters/transfers/{transfer.pk}/").content.decode()
    assert 'data-testid="answer"' in page and 'data-testid="cancel"' not in page
    response = origin.post(f"/voters/transfers/{transfer.pk}/confirm/", follow=True)
    assert "已确认" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
    # the asker sees the outcome and the person in its register
    asker = cast.client(cast.registrar)
    page = asker.get(f"/voters/transfers/{transfer.pk}/").content.decode()
    assert "已确认转移" in page and 'data-testid="new-registration"' in page
    assert "李四" in asker.get("/voters/").content.decode()
    assert 'data-testid="transfer-banner"' not in origin.get("/voters/").content.decode()


def test_refusing_needs_a_reason_on_the_page(cast: Cast, b: User, transfer: Transfer) -> None:
    origin = cast.client(b)
    page = origin.post(f"/voters/transfers/{transfer.pk}/refuse/", {"reason": ""}).content.decode()
    assert "这个字段是必填项" in page or "This field is required" in page
    origin.post(f"/voters/transfers/{transfer.pk}/refuse/", {"reason": "仍在本地居住"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.response_note) == (TransferStatus.REFUSED, "仍在本地居住")


def test_outsiders_get_404(cast: Cast, transfer: Transfer) -> None:
    outsider = cast.client(cast.outsider)
    assert outsider.get(f"/voters/transfers/{transfer.pk}/").status_code == 404
    assert outsider.post(f"/voters/transfers/{transfer.pk}/confirm/").status_code == 404
    assert "李四" not in outsider.get("/voters/transfers/").content.decode()
    assert cast.client(cast.deputy).get("/voters/transfers/").status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED


def test_the_asker_cannot_confirm_its_own_request(cast: Cast, transfer: Transfer) -> None:
    response = cast.client(cast.registrar).post(
        f"/voters/transfers/{transfer.pk}/confirm/", follow=True
    )
    assert "只有被申请方选区可以确认" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED


def test_handing_over_from_the_voters_page(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    origin = cast.client(b)
    assert 'data-testid="transfer-out"' in origin.get(f"/voters/{person.pk}/").content.decode()
    page = origin.post(
        f"/voters/{person.pk}/transfer-out/",
        {"to_district": "420102999999", "evidence_kind": "household", "evidence": "户口迁出"},
    ).content.decode()
    assert "找不到代码为 420102999999 的选区" in page
    response = origin.post(
        f"/voters/{person.pk}/transfer-out/",
        {"to_district": str(DISTRICT), "evidence_kind": "household", "evidence": "户口迁出"},
    )
    transfer = Transfer.objects.get()
    assert response["Location"] == f"/voters/transfers/{transfer.pk}/"
    # now the destination answers
    page = cast.client(cast.registrar).get("/voters/transfers/").content.decode()
    assert "李四" in page.split('data-testid="awaiting"')[1].split("</table>")[0]
    assert cast.client(cast.registrar).get(f"/voters/{person.pk}/transfer-out/").status_code == 404


def test_home_todo_and_notifications(cast: Cast, b: User, transfer: Transfer) -> None:
    origin = cast.client(b)
    home = origin.get("/").content.decode()
    todo = home.split('data-testid="todo"')[1].split("</div>\n  </div>")[0]
    assert "待确认的转移申请" in todo and "未读通知" in todo
    county = cast.client(cast.county_staff).get("/").content.decode()
    assert "待确认的转移申请" in county  # the county sees its districts' open requests
    assert "待确认的转移申请" not in cast.client(cast.outsider).get("/").content.decode()

    page = origin.get("/notifications/").content.decode()
    assert "申请迁入本选区的选民李四" in page and 'data-unread="1"' in page
    origin.post("/notifications/")
    assert not Notification.objects.filter(recipient=b, read_at__isnull=True).exists()
    assert 'data-unread="1"' not in origin.get("/notifications/").content.decode()
    # one's notifications are one's own
    assert "李四" not in cast.client(cast.outsider).get("/notifications/").content.decode()


def test_roster_review_items_are_counted_when_the_roster_has_them(
    cast: Cast, election: Election
) -> None:
    from renda.voters.todo import review_items_open

    roster = pytest.importorskip("renda.roster.models")
    if not hasattr(roster, "ReviewItem"):
        assert review_items_open(cast.registrar, DISTRICT, DISTRICT) is None
        return
    roster.ReviewItem.objects.create(
        election=election, district_id=DISTRICT, kind="deceased", suggested_action="check"
    )
    roster.ReviewItem.objects.create(
        election=election, district_id=DISTRICT_2, kind="deceased", suggested_action="check"
    )
    assert review_items_open(cast.registrar, DISTRICT, DISTRICT) == 1
    assert review_items_open(cast.county_staff, DISTRICT, DISTRICT_2) == 2
    home = cast.client(cast.registrar).get("/").content.decode()
    assert "待核查事项" in home.split('data-testid="todo"')[1]


def test_a_removed_person_cannot_be_handed_over(
    cast: Cast, election: Election, b: User, person: Voter
) -> None:
    Voter.objects.filter(pk=person.pk).update(status=Status.REMOVED)
    page = cast.client(b).get(f"/voters/{person.pk}/transfer-out/").content.decode()
    assert "不能办理转移" in page


def test_an_overdue_transfer_shows_on_the_county_dashboard(cast: Cast, transfer: Transfer) -> None:
    from datetime import timedelta

    services.transfers_remind_and_escalate(on=transfer.respond_by + timedelta(days=1))
    county = cast.client(cast.county_staff).get("/").content.decode()
    todo = county.split('data-testid="todo"')[1]
    assert "逾期未答复的转移申请" in todo and "已上报县级督办" in todo
    listing = cast.client(cast.county_staff).get("/voters/transfers/").content.decode()
    assert "已上报县级" in listing.split('data-testid="awaiting"')[1].split("</table>")[0]
    assert "逾期未答复" not in cast.client(cast.outsider).get("/").content.decode()


def test_a_refused_request_stays_on_step_two(cast: Cast, person: Voter) -> None:
    page = (
        cast.client(cast.registrar)
        .post(
            "/voters/transfers/new/",
            {
                "action": "request",
                "id_number": pii.reveal(person.id_cipher),
                "to_district": str(DISTRICT),
                "evidence_kind": "certificate",
                "evidence": "420102002002-9999",
                "residence_kind": "certificate",
            },
        )
        .content.decode()
    )
    assert 'data-testid="found-person"' in page and 'data-testid="request-form"' in page
    assert "不是原选区为此人开具的证明" in page
    assert not Transfer.objects.exists()
