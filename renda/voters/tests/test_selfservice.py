"""选民自助: the public check and request under /self/, and the district's review queue."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from renda.accounts.models import User
from renda.core.errors import ServiceError
from renda.core.models import AuditEvent, Notification
from renda.core.testing import DISTRICT, DISTRICT_2, Cast
from renda.voters import pii, tally
from renda.voters.models import (
    ConflictSource,
    Election,
    RegistrationConflict,
    SelfServiceRequest,
    SelfServiceStatus,
    Source,
    Status,
    TransferStatus,
    Voter,
)
from renda.voters.services import selfservice as services
from renda.voters.services.transfers import transfer_confirm
from renda.voters.tests.conftest import make_id
from renda.voters.tests.transfer_helpers import district, register_in, registrar_of

QUESTION = re.compile(r"(\d+) \+ (\d+) = \?")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def solve(page: str) -> str:
    found = QUESTION.search(page)
    assert found, "no arithmetic check on the page"
    return str(int(found.group(1)) + int(found.group(2)))


def check(client: Client, name: str, number: str) -> str:
    answer = solve(client.get("/self/check/").content.decode())
    response = client.post("/self/check/", {"name": name, "id_number": number, "answer": answer})
    assert response.status_code == 200
    return response.content.decode()


# --- The public check -----------------------------------------------------------------------


def test_the_check_answers_only_the_district(cast: Cast, election: Election) -> None:
    number = make_id()
    register_in(election, DISTRICT, cast.registrar, "张晓明", id_number=number)
    client = Client()
    page = check(client, "张晓明", number)
    assert "已在“大智街道第一选区”登记" in page
    assert number not in page and "张晓明" not in page  # nothing typed is echoed
    for name, typed in (("张小明", number), ("张晓明", make_id())):  # wrong name, unknown number
        page = check(client, name, typed)
        assert "未查询到" in page and "大智街道" not in page


def test_the_check_needs_the_right_answer_once(
    cast: Cast, election: Election, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = make_id()
    register_in(election, DISTRICT, cast.registrar, "张晓明", id_number=number)
    draws = iter([0, 0, 1, 1, 2, 2, 3, 3])  # questions 1 + 1, 2 + 2, 3 + 3, 4 + 4
    monkeypatch.setattr(secrets, "randbelow", lambda _n: next(draws))
    client = Client()
    form = {"name": "张晓明", "id_number": number}
    assert "1 + 1 = ?" in client.get("/self/check/").content.decode()
    page = client.post("/self/check/", {**form, "answer": "3"}).content.decode()
    assert "验证答案不正确" in page and "data-found" not in page and "2 + 2 = ?" in page
    page = client.post("/self/check/", {**form, "answer": "4"}).content.decode()
    assert "已在“大智街道第一选区”登记" in page and "3 + 3 = ?" in page
    page = client.post("/self/check/", {**form, "answer": "4"}).content.decode()  # replayed
    assert "验证答案不正确" in page and "data-found" not in page


def test_the_check_is_rate_limited(db: None) -> None:
    client = Client()
    for _ in range(10):
        client.post("/self/check/", {"name": "x", "id_number": "1", "answer": "0"})
    refused = client.post("/self/check/", {"name": "x", "id_number": "1", "answer": "0"})
    assert refused.status_code == 429 and refused["Retry-After"] == "600"
    assert Client(REMOTE_ADDR="10.0.0.9").get("/self/check/").status_code == 200


# --- The public request ---------------------------------------------------------------------


def submit(client: Client, number: str, **extra: object) -> Any:
    page = client.get("/self/request/?township=大智").content.decode()
    assert "大智街道第一选区" in page
    data: dict[str, object] = {
        "district": str(DISTRICT),
        "name": "刘流动",
        "id_number": number,
        "ethnicity": "1",
        "phone": "027-82800000",
        "residence_address": "江岸区大智路 10 号",
        "household_address": "湖北省宜昌市西陵区",
        "evidence": "居住证 420102-2023-0042，居住满一年",
        "answer": solve(page),
        **extra,
    }
    return client.post("/self/request/?township=大智", data)


def test_a_migrant_asks_and_the_district_registers(
    cast: Cast, election: Election, tmp_path: Path
) -> None:
    number = make_id(address="420502")
    client = Client()
    response = submit(
        client, number, evidence_file=SimpleUploadedFile("居住证.png", PNG, "image/png")
    )
    assert response["Location"] == "/self/request/done/"
    done = client.get("/self/request/done/").content.decode()
    item = SelfServiceRequest.objects.get()
    assert item.reference in done and "大智街道第一选区" in done
    assert (item.status, item.name, item.district_id) == (
        SelfServiceStatus.OPEN,
        "刘流动",
        DISTRICT,
    )
    assert pii.reveal(item.id_cipher) == number and number.encode() not in bytes(item.id_cipher)
    stored = Path(settings.MEDIA_ROOT) / item.evidence_file
    assert stored.exists() and PNG not in stored.read_bytes()  # encrypted at rest
    assert Notification.objects.filter(recipient=cast.registrar, text__contains=item.reference)

    # the registrar's queue and review
    registrar = cast.client(cast.registrar)
    assert item.reference in registrar.get("/voters/self-service/").content.decode()
    page = registrar.get(f"/voters/self-service/{item.pk}/").content.decode()
    assert number not in page and pii.masked(item.id_cipher) in page
    download = registrar.get(f"/voters/self-service/{item.pk}/evidence/")
    assert download.content == PNG
    assert AuditEvent.objects.filter(action="selfservice.evidence").count() == 1
    assert cast.client(cast.outsider).get(f"/voters/self-service/{item.pk}/").status_code == 404
    response = registrar.post(
        f"/voters/self-service/{item.pk}/accept/", {"residence_kind": "resident", "group": "三组"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    voter = Voter.objects.get(district_id=DISTRICT)
    assert (item.status, item.voter) == (SelfServiceStatus.ACCEPTED, voter)
    assert (voter.source, voter.residence_kind, voter.group) == (Source.SELF, "resident", "三组")
    assert tally.verify() == []


def test_a_request_is_checked_like_a_registration(cast: Cast, election: Election) -> None:
    client = Client()
    page = submit(client, "110105194912310029").content.decode()  # bad check digit
    assert "校验位" in page and not SelfServiceRequest.objects.exists()
    page = submit(
        client,
        make_id(),
        evidence_file=SimpleUploadedFile("scan.png", b"%PDF-1.4 not a png", "image/png"),
    ).content.decode()
    assert "附件内容与文件类型不符" in page
    number = make_id()
    assert submit(client, number).status_code == 302
    page = submit(client, number).content.decode()
    assert "已有一份待审核的申请" in page
    assert SelfServiceRequest.objects.count() == 1


def test_the_request_page_has_a_rate_limit_too(db: None) -> None:
    client = Client()
    for _ in range(5):
        client.post("/self/request/", {})
    assert client.post("/self/request/", {}).status_code == 429


# --- Review ---------------------------------------------------------------------------------


@pytest.fixture
def b(cast: Cast) -> User:
    return registrar_of(DISTRICT_2, "reg_b")


def apply_for(election: Election, number: str) -> SelfServiceRequest:
    return services.selfservice_submit(
        election=election,
        district=district(DISTRICT),
        application=services.Application(
            id_number=number,
            name="李四",
            phone="13800000000",
            residence_address="大智路 1 号",
            evidence="租赁合同（2024 年起）",
        ),
        upload=None,
    )


def test_someone_registered_elsewhere_becomes_a_transfer(
    cast: Cast, election: Election, b: User
) -> None:
    there = register_in(election, DISTRICT_2, b, "李四")
    item = apply_for(election, pii.reveal(there.id_cipher))
    with pytest.raises(ServiceError, match="大智街道第二选区"):
        services.selfservice_accept(actor=cast.registrar, request=item)
    conflict = RegistrationConflict.objects.get()
    assert conflict.source == ConflictSource.SELF_SERVICE
    item.refresh_from_db()
    assert item.status == SelfServiceStatus.OPEN
    page = cast.client(cast.registrar).get(f"/voters/self-service/{item.pk}/").content.decode()
    assert "发起转移申请" in page

    transfer = services.selfservice_transfer(actor=cast.registrar, request=item)
    item.refresh_from_db()
    conflict.refresh_from_db()
    assert (item.status, item.transfer) == (SelfServiceStatus.ACCEPTED, transfer)
    assert conflict.transfer == transfer
    assert transfer.evidence.startswith(f"自助申请 {item.reference}")
    transfer_confirm(actor=b, transfer=transfer)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
    assert Voter.objects.get(district_id=DISTRICT).status == Status.REGISTERED


def test_a_rejection_needs_a_reason_and_happens_once(cast: Cast, election: Election) -> None:
    item = apply_for(election, make_id())
    with pytest.raises(ServiceError, match="理由"):
        services.selfservice_reject(actor=cast.registrar, request=item, note=" ")
    with pytest.raises(ServiceError):
        services.selfservice_reject(actor=cast.outsider, request=item, note="不符合条件")
    services.selfservice_reject(actor=cast.registrar, request=item, note="居住不满一年")
    with pytest.raises(ServiceError, match="已审核"):
        services.selfservice_accept(actor=cast.registrar, request=item)
    item.refresh_from_db()
    assert (item.status, item.note) == (SelfServiceStatus.REJECTED, "居住不满一年")


def test_district_searches_are_limited_too(db: None) -> None:
    client = Client()
    for _ in range(60):
        assert client.get("/self/request/?township=大智").status_code == 200
    assert client.get("/self/request/?township=大智").status_code == 429
    assert client.get("/self/request/").status_code == 200  # the empty form is not a search
