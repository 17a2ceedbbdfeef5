"""What the roster commands share: region and election arguments, refusing in Chinese."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _

from renda.core.errors import ServiceError
from renda.regions.codes import Level, parse_code
from renda.regions.models import Region
from renda.roster.exchange.fileformat import ExchangeKey
from renda.roster.models import BaseRecord
from renda.voters.models import Election


def refuse(stderr: OutputWrapper, message: str) -> NoReturn:
    stderr.write(message)
    sys.exit(1)


def region_arg(text: str | None) -> Region:
    """The region named by ``--region``; without one, the only province that has base data."""
    if text:
        try:
            code = parse_code(text)
        except ValueError:
            code = None
        region = Region.objects.filter(code=code).first() if code is not None else None
        if region is None:
            raise ServiceError(_("找不到代码为“%(c)s”的行政区划。") % {"c": text})
        return region
    provinces = {
        code // 10**10 * 10**10
        for code in BaseRecord.objects.values_list("county_code", flat=True).distinct()[:1000]
    }
    if len(provinces) != 1:
        raise ServiceError(_("请用 --region 指定行政区划代码（如 42 或 420102）。"))
    return Region.objects.get(code=provinces.pop(), level=Level.PROVINCE)


def election_arg(code: str | None) -> Election | None:
    if not code:
        return None
    election = Election.objects.select_related("region").filter(code=code).first()
    if election is None:
        raise ServiceError(
            _("找不到代码为“%(c)s”的换届选举（可用 renda elections 查看）。") % {"c": code}
        )
    return election


def province_arg(text: str | None) -> Region:
    """The province named by ``--province``; without one, the only province with voters."""
    from renda.voters.models import Voter

    if text:
        region = region_arg(text)
        if region.level != Level.PROVINCE:
            raise ServiceError(_("--province 应为省级行政区划代码（两位，如 42）。"))
        return region
    first = Voter.objects.order_by("district_id").values_list("district_id", flat=True).first()
    last = Voter.objects.order_by("-district_id").values_list("district_id", flat=True).first()
    if first is None or last is None or first // 10**10 != last // 10**10:
        raise ServiceError(_("请用 --province 指定本省的行政区划代码（两位，如 42）。"))
    return Region.objects.get(code=first // 10**10 * 10**10, level=Level.PROVINCE)


def key_arg(path: str) -> ExchangeKey:
    return ExchangeKey.from_file(Path(path))
