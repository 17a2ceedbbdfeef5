"""Elections: created by province, city or county staff for an area they hold."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record, changed_fields
from renda.core.errors import ServiceError
from renda.regions.models import Region
from renda.voters import tally
from renda.voters.models import Election, HolidayOverride
from renda.voters.services.common import require

PUBLICATION_DAYS_BEFORE = 20  # 选举法 Art 28

EDITABLE = (
    "name",
    "levels",
    "election_day",
    "registration_opens",
    "registration_closes",
    "publication_deadline",
    "appeal_days",
    "decision_days",
    "court_days_before",
    "feb29_rule",
    "hmt_policy",
    "shift_holidays",
    "max_proxies",
    "transfer_days",
)


def default_dates(election_day: date) -> dict[str, date]:
    return {
        "publication_deadline": election_day - timedelta(days=PUBLICATION_DAYS_BEFORE),
        "registration_closes": election_day - timedelta(days=1),
    }


def _check_dates(values: dict[str, Any]) -> None:
    if values["registration_opens"] > values["registration_closes"]:
        raise ServiceError(_("登记开始日不能晚于登记截止日。"), field="registration_opens")
    if values["publication_deadline"] >= values["election_day"]:
        raise ServiceError(_("名单公布截止日必须早于选举日。"), field="publication_deadline")
    if values["registration_closes"] >= values["election_day"]:
        raise ServiceError(_("登记截止日必须早于选举日。"), field="registration_closes")
    if not 1 <= values.get("max_proxies", 3) <= 3:
        raise ServiceError(_("每名选民接受委托不得超过三人。"), field="max_proxies")


def election_create(
    *,
    actor: User,
    region: Region,
    code: str,
    name: str,
    election_day: date,
    registration_opens: date,
    **settings: Any,
) -> Election:
    require(actor, Perm.ELECTION_MANAGE, region.code, _("您无权为该区域设置换届选举。"))
    values: dict[str, Any] = {
        **default_dates(election_day),
        **settings,
        "name": name.strip(),
        "election_day": election_day,
        "registration_opens": registration_opens,
    }
    _check_dates(values)
    try:
        with transaction.atomic():
            election = Election.objects.create(code=code, region=region, created_by=actor, **values)
            # The register is valid across elections: the new one starts from it, age bands
            # reckoned on its own election day.
            tally.rebuild(election)
            audit_record(
                actor=actor,
                action="election.create",
                target=election,
                region_code=region.code,
                summary={k: str(v) for k, v in values.items()},
            )
    except IntegrityError:
        raise ServiceError(_("选举代码“%(c)s”已被使用。") % {"c": code}, field="code") from None
    return election


def election_update(*, actor: User, election: Election, **fields: Any) -> Election:
    require(actor, Perm.ELECTION_MANAGE, election.region_id, _("您无权修改该换届选举。"))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = {f: getattr(election, f) for f in EDITABLE}
    _check_dates({**before, **fields})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(election, name, value)
        election.save()
        after = {f: getattr(election, f) for f in EDITABLE}
        if any(before[f] != after[f] for f in ("election_day", "feb29_rule")):
            tally.rebuild(election)  # age bands are reckoned on the election day
        audit_record(
            actor=actor,
            action="election.update",
            target=election,
            region_code=election.region_id,
            summary=changed_fields(
                {k: str(v) for k, v in before.items()}, {k: str(v) for k, v in after.items()}
            ),
        )
    return election


def holiday_set(*, actor: User, day: date, is_workday: bool, note: str = "") -> HolidayOverride:
    """Record a published holiday or 调休 working day that chinese-calendar does not know."""
    from renda.accounts import access

    if not access.has_perm(actor, Perm.ELECTION_MANAGE):
        raise ServiceError(_("您无权调整节假日。"))
    with transaction.atomic():
        override, _created = HolidayOverride.objects.update_or_create(
            day=day, defaults={"is_workday": is_workday, "note": note[:100]}
        )
        audit_record(
            actor=actor,
            action="holiday.set",
            target=override,
            summary={"day": day.isoformat(), "is_workday": is_workday},
        )
    return override
