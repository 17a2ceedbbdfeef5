"""Eligibility and deadline arithmetic (选举法 Arts 4, 27–29; 民法典 201). Pure, no database."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

VOTING_AGE = 18


class Feb29Rule(models.TextChoices):
    FEB_28 = "feb28", _("2月28日满周岁")
    MAR_1 = "mar1", _("3月1日满周岁")


def birthday_in(born: date, year: int, feb29: str = Feb29Rule.FEB_28) -> date:
    """The birthday in ``year``; a 29 February birthday falls on 28 Feb or 1 Mar in common years."""
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28) if feb29 == Feb29Rule.FEB_28 else date(year, 3, 1)


def comes_of_age(born: date, feb29: str = Feb29Rule.FEB_28) -> date:
    return birthday_in(born, born.year + VOTING_AGE, feb29)


def is_of_age(born: date, election_day: date, feb29: str = Feb29Rule.FEB_28) -> bool:
    """18 or more on election day, the day itself included."""
    return comes_of_age(born, feb29) <= election_day


def age_on(born: date, day: date, feb29: str = Feb29Rule.FEB_28) -> int:
    years = day.year - born.year
    return years if birthday_in(born, day.year, feb29) <= day else years - 1


def add_days(start: date, days: int) -> date:
    """A period of ``days`` days from ``start``; the start day itself is not counted."""
    return start + timedelta(days=days)
