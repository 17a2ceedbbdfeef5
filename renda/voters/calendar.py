"""Working days: `chinese-calendar` with an admin-editable override table on top.

Each year's holidays and 调休 working days are published late (usually in November for the next
year); the override table lets an administrator enter them before a new `chinese-calendar`
release, and correct anything local.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from renda.voters.models import HolidayOverride
from renda.voters.rules import add_days


def is_workday(day: date) -> bool:
    override = HolidayOverride.objects.filter(day=day).values_list("is_workday", flat=True).first()
    if override is not None:
        return bool(override)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def next_workday(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def deadline(start: date, days: int, *, shift_holidays: bool) -> date:
    """The last day of a period of ``days`` days after ``start`` (start day not counted).

    With ``shift_holidays`` a last day that is not a working day moves to the next working day.
    """
    end = add_days(start, days)
    return next_workday(end) if shift_holidays else end


def add_workdays(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (start day not counted): transfer answers."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day
