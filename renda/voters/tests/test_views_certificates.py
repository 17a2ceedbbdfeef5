"""选民资格证明 through the pages, and the public verification page that shows nothing personal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client

from renda.accounts.models import RoleAssignment, User
from renda.accounts.roles import Role
from renda.core.models import AuditEvent
from renda.core.testing import DISTRICT, DISTRICT_2, DISTRICT_3, Cast
from renda.core.tests.helpers import page_text
from renda.regions.models import District
from renda.voters.idnumbers import mask
from renda.voters.models import Certificate, CertificateStatus, Election, Status, Voter
from renda.voters.services.register import Person, voter_register
from renda.voters.tests.conftest import RegisterVoter, make_id
from renda.voters.views import public

pytestmark = pytest.mark.django_db

NUMBER = make_id(born=date(1992, 8, 15), seq=301)


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """The verification limiter counts per address in the cache: start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def migrant(register_voter: RegisterVoter) -> Voter:
    """刘一, registered in 大智街道第一选区, working in 一元街道."""
    return register_voter("刘一", id_number=NUMBER, group="五组")


@pytest.fixture
def certificate(cast: Cast, migrant: Voter) -> Certificate:
    response = cast.client(cast.registrar).post(f"/voters/{migrant.pk}/certificate/")
    issued = Certificate.objects.get(voter=migrant)
    assert response.status_code == 302
    assert response["Location"] == f"/voters/certificates/{issued.pk}/"
    return issued


def verify(code: str, client: Client | None = None) -> str:
    response = (client or Client()).get(f"/verify/{code}/")
    assert response.status_code == 200
    return page_text(response)


def assert_nothing_personal(text: str, voter: Voter) -> None:
    for secret in (voter.name, NUMBER, NUMBER[6:14], mask(NUMBER), "1992", "五组"):
        assert secret not in text, secret


def test_a_registrar_issues_a_certificate_from_the_voter_page(
    cast: Cast, migrant: Voter, certificate: Certificate
) -> None:
    migrant.refresh_from_db()
    assert migrant.status == Status.CERTIFIED_OUT
    assert certificate.district_id == DISTRICT and certificate.issued_by == cast.registrar
    page = page_text(cast.client(cast.registrar).get(f"/voters/certificates/{certificate.pk}/"))
    assert certificate.number in page and certificate.verify_code in page
    assert f"http://testserver/verify/{certificate.verify_code}/" in page
    listing = page_text(cast.client(cast.registrar).get("/voters/certificates/"))
    assert certificate.number in listing and "刘一" in listing


def test_the_public_page_shows_valid_and_the_issuer_only(
    migrant: Voter, certificate: Certificate
) -> None:
    text = verify(certificate.verify_code)
    assert 'data-valid="1"' in text and "有效" in text
    assert "大智街道第一选区" in text
    assert_nothing_personal(text, migrant)
    lower = verify(certificate.verify_code.lower())
    assert 'data-valid="1"' in lower


def test_used_in_another_district_the_certificate_turns_invalid(
    cast: Cast, election: Election, migrant: Voter, certificate: Certificate
) -> None:
    moved = voter_register(
        actor=cast.county_staff,
        election=election,
        district=District.objects.get(code=DISTRICT_3),
        person=Person(id_number=NUMBER, name="刘一"),
        certificate_number=certificate.number,
    )
    certificate.refresh_from_db()
    migrant.refresh_from_db()
    assert certificate.status == CertificateStatus.USED
    assert certificate.used_district_id == DISTRICT_3 == moved.district_id
    assert migrant.status == Status.REMOVED
    text = verify(certificate.verify_code)
    assert 'data-valid="0"' in text and "无效" in text
    assert "大智街道第一选区" in text
    assert_nothing_personal(text, migrant)
    listing = page_text(cast.client(cast.county_staff).get("/voters/certificates/?status=used"))
    assert "一元街道 · 第一选区" in listing


def test_revoking_puts_the_voter_back(cast: Cast, migrant: Voter, certificate: Certificate) -> None:
    client = cast.client(cast.registrar)
    refused = client.post(f"/voters/certificates/{certificate.pk}/revoke/", {"reason": ""})
    assert refused.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    client.post(f"/voters/certificates/{certificate.pk}/revoke/", {"reason": "本人决定回原籍投票"})
    certificate.refresh_from_db()
    migrant.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert migrant.status == Status.REGISTERED
    assert 'data-valid="0"' in verify(certificate.verify_code)


def test_an_unknown_code_is_invalid_and_names_no_one() -> None:
    text = verify("ZZZZZZZZZZ")
    assert 'data-valid="0"' in text and "未查到" in text
    assert 'data-testid="verify-issuer"' not in text


def test_the_public_page_is_rate_limited(certificate: Certificate) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(public.LIMIT):
        verify(certificate.verify_code, client)
    refused = client.get(f"/verify/{certificate.verify_code}/")
    assert refused.status_code == 429
    assert "请求过于频繁" in page_text(refused)
    assert "大智街道" not in page_text(refused)
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert 'data-valid="1"' in verify(certificate.verify_code, other)


def test_printing_is_audited(cast: Cast, certificate: Certificate) -> None:
    response = cast.client(cast.registrar).get(
        f"/voters/certificates/{certificate.pk}/certificate.pdf?inline=1"
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")
    event = AuditEvent.objects.get(action="certificate.print")
    assert (event.actor, event.region_code, event.target_id) == (
        cast.registrar,
        DISTRICT,
        str(certificate.pk),
    )


@pytest.fixture
def other_registrar(cast: Cast) -> User:
    user = User.objects.create(username="reg2", real_name="二选区登记员", home_code=DISTRICT_2)
    RoleAssignment.objects.create(user=user, role=Role.REGISTRAR, district_id=DISTRICT_2)
    return user


@pytest.mark.parametrize("who", ["outsider", "other_registrar", "deputy"])
def test_others_get_404_on_every_certificate_url(
    cast: Cast, migrant: Voter, certificate: Certificate, other_registrar: User, who: str
) -> None:
    user = other_registrar if who == "other_registrar" else getattr(cast, who)
    client = cast.client(user)
    base = f"/voters/certificates/{certificate.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/certificate.pdf").status_code == 404
    assert client.post(f"{base}/revoke/", {"reason": "x"}).status_code == 404
    assert client.post(f"/voters/{migrant.pk}/certificate/").status_code == 404
    assert Certificate.objects.get().status == CertificateStatus.ISSUED
    assert not AuditEvent.objects.filter(actor=user, action="certificate.print").exists()
