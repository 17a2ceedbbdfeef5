"""The password policy: at least 10 characters from at least 3 of 4 classes, said in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from renda.accounts.models import User
from renda.accounts.passwords import CLASSES, generate_initial_password
from renda.core.models import AuditEvent
from renda.core.testing import PASSWORD, Cast
from renda.core.tests.helpers import page_text


def _change(cast: Cast, new: str) -> tuple[int, str]:
    client = cast.client(cast.registrar)
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    return response.status_code, page_text(response)


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("Ab1!xyz", "密码太短，至少需要 10 个字符"),  # 7 characters
        ("abcdefghijkm", "至少 3 类"),  # one class
        ("abcdefgh1234", "至少 3 类"),  # two classes
        ("1234567890123", "密码只包含数字"),
        ("Password123", "这个密码太常见了"),
        ("Registrar#99", "密码跟 用户名 太相似了"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(cast: Cast, weak: str, message: str) -> None:
    status, text = _change(cast, weak)
    assert status == 200
    assert message in text
    cast.registrar.refresh_from_db()
    assert cast.registrar.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="account.change_password").exists()


def test_a_strong_password_is_taken(cast: Cast) -> None:
    status, _text = _change(cast, "Dazhi#Street7")
    assert status == 302
    cast.registrar.refresh_from_db()
    assert cast.registrar.check_password("Dazhi#Street7")


def test_the_two_entries_must_match(cast: Cast) -> None:
    client = cast.client(cast.registrar)
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Dazhi#Street7",
            "new_password2": "Dazhi#Street8",
        },
    )
    assert "两次输入的新密码不一致" in page_text(response)
    cast.registrar.refresh_from_db()
    assert cast.registrar.check_password(PASSWORD)


def test_the_old_password_cannot_be_kept(cast: Cast) -> None:
    status, text = _change(cast, PASSWORD)
    assert status == 200
    assert "新密码不能与当前密码相同" in text


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P", "S"]), max_size=20))
def test_whatever_the_validators_accept_is_long_and_mixed(text: str) -> None:
    user = User(username="policy_probe", real_name="测试")
    try:
        password_validation.validate_password(text, user)
    except ValidationError as exc:
        assert all(m.isascii() is False for m in exc.messages)  # every refusal is in Chinese
        return
    assert len(text) >= 10
    assert sum(1 for chars in CLASSES if any(c in chars for c in text)) >= 3


def test_initial_passwords_meet_the_policy() -> None:
    user = User(username="initial_probe", real_name="测试")
    for _ in range(50):
        password_validation.validate_password(generate_initial_password(), user)
