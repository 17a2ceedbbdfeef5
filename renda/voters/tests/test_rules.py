"""Eligibility on election day and deadline arithmetic, as tables."""

from __future__ import annotations

from datetime import date

import pytest

from renda.voters.calendar import deadline, is_workday
from renda.voters.models import HolidayOverride
from renda.voters.rules import Feb29Rule, age_on, comes_of_age, is_of_age

ELECTION_DAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("born", "eligible"),
    [
        (date(2008, 11, 25), True),  # exactly 18 on election day
        (date(2008, 11, 26), False),  # one day later
        (date(2008, 11, 24), True),
        (date(1930, 1, 1), True),
    ],
)
def test_eighteen_on_election_day_inclusive(born: date, eligible: bool) -> None:
    assert is_of_age(born, ELECTION_DAY) is eligible


@pytest.mark.parametrize(
    ("rule", "birthday"),
    [(Feb29Rule.FEB_28, date(2026, 2, 28)), (Feb29Rule.MAR_1, date(2026, 3, 1))],
)
def test_born_on_29_february_under_both_settings(rule: str, birthday: date) -> None:
    born = date(2008, 2, 29)
    assert comes_of_age(born, rule) == birthday
    assert is_of_age(born, date(2026, 2, 28), rule) is (rule == Feb29Rule.FEB_28)
    assert is_of_age(born, date(2026, 3, 1), rule)


def test_other_birthdays_ignore_the_29_february_setting() -> None:
    assert comes_of_age(date(2010, 2, 28), Feb29Rule.MAR_1) == date(2028, 2, 28)
    assert comes_of_age(date(2006, 3, 1), Feb29Rule.FEB_28) == date(2024, 3, 1)


def test_age_on_a_day() -> None:
    assert age_on(date(2000, 6, 1), date(2026, 5, 31)) == 25
    assert age_on(date(2000, 6, 1), date(2026, 6, 1)) == 26


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "shift", "expected"),
    [
        # 2025 National Day holiday: 1–8 October; 28 Sep (Sun) and 11 Oct (Sat) are 调休 workdays
        (date(2025, 9, 26), 5, False, date(2025, 10, 1)),
        (date(2025, 9, 26), 5, True, date(2025, 10, 9)),
        (date(2025, 10, 6), 5, True, date(2025, 10, 11)),  # a Saturday that is a workday
        (date(2025, 3, 3), 5, True, date(2025, 3, 10)),  # Saturday 8 March → Monday 10th
        (date(2025, 3, 3), 3, True, date(2025, 3, 6)),  # an ordinary Thursday stays
    ],
)
def test_deadlines_around_holidays_and_tiaoxiu(
    start: date, days: int, shift: bool, expected: date
) -> None:
    assert deadline(start, days, shift_holidays=shift) == expected


@pytest.mark.django_db
def test_override_table_wins_over_the_package() -> None:
    day = date(2025, 10, 11)  # a 调休 Saturday the package knows as a workday
    assert is_workday(day)
    HolidayOverride.objects.create(day=day, is_workday=False, note="本地调整")
    assert not is_workday(day)
    far = date(2099, 5, 4)  # a year the package cannot know: weekdays count as workdays
    assert is_workday(far) is (far.weekday() < 5)
