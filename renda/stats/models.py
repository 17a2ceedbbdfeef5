"""Models of renda.stats (see README.md): daily snapshots and the archive of report tables.

The live figures are not stored here: they are sums over the register's counters
(``voters.VoterTally``). These models keep what the counters cannot tell afterwards — how the
figures stood at the end of each day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from renda.regions.codes import Level
from renda.regions.models import Region
from renda.voters.models import Election


class StatsSnapshot(models.Model):
    """One region's (or electoral district's) figures for an election as they stood on ``day``.

    Written once a day by ``renda stats_snapshot`` (again the same day: replaced). Regions keep
    every counter in ``figures``; districts — tens of thousands a day — keep only the three
    columns the trend chart needs.
    """

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    code = models.BigIntegerField(verbose_name=_("区划或选区代码"))
    level = models.PositiveSmallIntegerField(choices=Level.choices, verbose_name=_("层级"))
    day = models.DateField(verbose_name=_("日期"))
    expected = models.PositiveIntegerField(default=0, verbose_name=_("应登记"))
    registered = models.PositiveIntegerField(default=0, verbose_name=_("登记"))
    suspended = models.PositiveIntegerField(default=0, verbose_name=_("停止行使"))
    figures = models.JSONField(default=dict, blank=True, verbose_name=_("全部数字"))
    taken_at = models.DateTimeField(verbose_name=_("统计时间"))

    class Meta:
        verbose_name = _("每日统计快照")
        verbose_name_plural = _("每日统计快照")
        constraints = [
            # One snapshot per place and day; also serves the trend chart:
            # WHERE election_id = ? AND code = ? ORDER BY day
            models.UniqueConstraint(
                fields=["election", "code", "day"], name="stats_snapshot_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.day}"

    @property
    def listed(self) -> int:
        return self.registered + self.suspended


class StatsReport(models.Model):
    """The day's 选民登记情况统计表 of one region, as generated that day (figures only)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    day = models.DateField(verbose_name=_("日期"))
    # A private file (renda.core.privatefiles): encrypted at rest, served only through a view.
    file = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0, verbose_name=_("文件大小"))
    created_at = models.DateTimeField(auto_now=True, verbose_name=_("生成时间"))

    class Meta:
        verbose_name = _("统计表归档")
        verbose_name_plural = _("统计表归档")
        constraints = [
            # One table per region and day; also serves the archive page:
            # WHERE election_id = ? AND day = ? AND region_id BETWEEN lo AND hi
            models.UniqueConstraint(
                fields=["election", "day", "region"], name="stats_report_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"
