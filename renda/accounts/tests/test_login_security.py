"""Logging in: lockout after repeated failures, unlocking, hashing, idle timeout, headers."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import config.settings as production
from renda.accounts.middleware import TOUCHED
from renda.core.middleware import CSP
from renda.core.models import AuditEvent
from renda.core.testing import PASSWORD, Cast
from renda.core.tests.helpers import is_logged_in, login, page_text


def _fail(username: str, times: int) -> None:
    for _ in range(times):
        client, _response = login(username, "Wrong-Password-1")
        assert not is_logged_in(client)


def test_the_right_password_logs_in_and_is_audited(cast: Cast) -> None:
    client, response = login("county_staff", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(action="auth.login", actor=cast.county_staff).exists()


def test_a_wrong_password_is_told_in_chinese_and_audited(cast: Cast) -> None:
    _client, response = login("county_staff", "Wrong-Password-1")
    assert response.status_code == 200
    assert "用户名或密码不正确。连续 5 次错误后账号将被锁定" in page_text(response)
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.summary == {"username": "county_staff"}
    assert event.actor is None
    assert "Wrong-Password-1" not in str(event.summary)


def test_five_failures_lock_the_account_even_against_the_right_password(cast: Cast) -> None:
    _fail("county_staff", 5)
    client, response = login("county_staff", PASSWORD)
    assert not is_logged_in(client)
    assert response.status_code == 429
    assert "账号已锁定" in page_text(response)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() >= 5
    assert AuditEvent.objects.filter(
        action="auth.locked_out", summary__username="county_staff"
    ).exists()


def test_four_failures_do_not_lock(cast: Cast) -> None:
    _fail("county_staff", 4)
    client, _response = login("county_staff", PASSWORD)
    assert is_logged_in(client)


def test_a_lockout_is_per_account_not_per_office(cast: Cast) -> None:
    _fail("county_staff", 5)
    client, _response = login("township_staff", PASSWORD)  # same address, another person
    assert is_logged_in(client)


def test_the_security_admin_sees_and_lifts_a_lockout(cast: Cast) -> None:
    _fail("county_staff", 5)
    secadmin = cast.client(cast.secadmin)
    page = secadmin.get("/accounts/lockouts/")
    assert page.status_code == 200
    assert "county_staff" in page_text(page)

    response = secadmin.post("/accounts/lockouts/reset/", {"username": "county_staff"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="security.unlock")
    assert (event.actor, event.summary) == (cast.secadmin, {"username": "county_staff"})

    client, _response = login("county_staff", PASSWORD)
    assert is_logged_in(client)


def test_only_the_security_admin_handles_lockouts(cast: Cast) -> None:
    _fail("registrar", 5)
    for person in [cast.sysadmin, cast.auditadmin, cast.county_staff, cast.province_staff]:
        client = cast.client(person)
        assert client.get("/accounts/lockouts/").status_code == 404, person.username
        reset = client.post("/accounts/lockouts/reset/", {"username": "registrar"})
        assert reset.status_code == 404, person.username
    assert not AuditEvent.objects.filter(action="security.unlock").exists()
    locked, _response = login("registrar", PASSWORD)
    assert not is_logged_in(locked)


def test_a_deactivated_account_cannot_log_in(cast: Cast) -> None:
    cast.registrar.is_active = False
    cast.registrar.save(update_fields=["is_active"])
    client, _response = login("registrar", PASSWORD)
    assert not is_logged_in(client)


def test_production_hashes_with_argon2() -> None:
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert all("MD5" not in hasher for hasher in production.PASSWORD_HASHERS)


def test_the_session_ends_after_the_idle_timeout() -> None:
    assert settings.SESSION_COOKIE_AGE == settings.RENDA_IDLE_TIMEOUT_MINUTES * 60
    assert production.SESSION_COOKIE_AGE == production.RENDA_IDLE_TIMEOUT_MINUTES * 60
    assert "renda.accounts.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY


def _expiry(client: Client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_activity_pushes_the_expiry_forward_at_most_once_a_minute(cast: Cast) -> None:
    client, _response = login("county_staff", PASSWORD)
    client.get("/regions/")
    first = _expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/regions/420102000000/").status_code == 200
    assert _expiry(client) == first  # a second click within the minute writes nothing
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert not [sql for sql in writes if "django_session" in sql]
    session = client.session
    session[TOUCHED] = int(time.time()) - settings.RENDA_SESSION_TOUCH_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get("/regions/420102000000/").status_code == 200
    pushed = _expiry(client)
    assert pushed > timezone.now() + timedelta(minutes=settings.RENDA_IDLE_TIMEOUT_MINUTES - 1)


def test_an_idle_session_ends(cast: Cast) -> None:
    client, _response = login("county_staff", PASSWORD)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    response = client.get("/regions/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_anonymous_visit_makes_no_session(cast: Cast) -> None:
    client = Client()
    before = Session.objects.count()
    client.get("/self/")
    assert Session.objects.count() == before


def test_the_session_is_kept_only_for_the_idle_timeout(cast: Cast) -> None:
    client, response = login("county_staff", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == settings.RENDA_IDLE_TIMEOUT_MINUTES * 60


def test_pages_carry_a_content_security_policy(cast: Cast) -> None:
    for client, path in [
        (cast.client(cast.county_staff), "/"),
        (cast.client(cast.county_staff), "/accounts/"),
        (cast.client(cast.nobody), "/no-such-page/"),
    ]:
        response = client.get(path)
        assert response["Content-Security-Policy"] == CSP
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
    _client, login_page = login("x", "y")
    assert login_page["Content-Security-Policy"] == CSP


def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_one(cast: Cast) -> None:
    body = Client().get("/login/").content.decode()
    assert 'rel="icon"' in body and "renda/favicon" in body and ".svg" in body
    assert (settings.BASE_DIR / "static" / "renda" / "favicon.svg").read_text().startswith("<svg")
