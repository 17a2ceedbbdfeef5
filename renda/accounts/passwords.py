"""Password policy, initial passwords, and the fast hash used for them."""

from __future__ import annotations

import secrets
import string
from typing import Any

from argon2 import PasswordHasher
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    set(string.ascii_uppercase),
    set(string.ascii_lowercase),
    set(string.digits),
    set(string.punctuation),
)
# No look-alikes (0/O, 1/l/I): initial passwords are read off a sheet and typed by hand.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
INITIAL_LENGTH = 12


class CharacterClassValidator:
    """At least N of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, classes: int = 3) -> None:
        self.classes = classes

    def validate(self, password: str, user: Any = None) -> None:
        held = sum(1 for chars in CLASSES if any(c in chars for c in password))
        if held < self.classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return ngettext(
            "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
            "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。",
            self.classes,
        ) % {"n": self.classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check with a Chinese message: Django 5.2 reworded the English text and
    its zh_Hans catalogue still holds the old wording, so people were told in English."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}


def generate_initial_password() -> str:
    """12 characters from 55 symbols (about 69 bits), with upper, lower and digit."""
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(INITIAL_LENGTH))
        if all(any(c in chars for c in candidate) for chars in CLASSES[:3]):
            return candidate


# Initial passwords are long random strings used once: guessing them is hopeless whatever the
# hash cost, so they get a light argon2id (a few ms) and 45,000 accounts can be created in
# about a minute. Django re-hashes with the full cost at the first login (must_update), and the
# forced change at first login replaces them anyway. See docs/decisions/0010-initial-passwords.md.
_light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def initial_password_hash(password: str) -> str:
    """A hash Django's Argon2PasswordHasher verifies (and upgrades at first login)."""
    return "argon2" + _light.hash(password)


def policy_text() -> str:
    return _("密码至少 10 位，并包含大写字母、小写字母、数字、符号中的至少 3 类。")
