from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renda.imports.workflow import FINISHED, State


class ImportRun(models.Model):
    """One uploaded file being checked and loaded by the task worker."""

    kind = models.CharField(max_length=32, verbose_name=_("类型"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    # The region the upload is for; superiors of this region may see the run.
    region_code = models.BigIntegerField(verbose_name=_("区划代码"))
    original_name = models.CharField(max_length=255, verbose_name=_("文件名"))
    upload = models.CharField(max_length=255, blank=True)  # encrypted private file, or ""
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.QUEUED, verbose_name=_("状态")
    )
    total = models.PositiveIntegerField(default=0, verbose_name=_("总行数"))
    processed = models.PositiveIntegerField(default=0, verbose_name=_("已处理"))
    accepted = models.PositiveIntegerField(default=0, verbose_name=_("通过"))
    rejected = models.PositiveIntegerField(default=0, verbose_name=_("有误"))
    message = models.TextField(blank=True, verbose_name=_("说明"))
    report = models.CharField(max_length=255, blank=True)  # encrypted error workbook
    output = models.CharField(max_length=255, blank=True)  # encrypted result (e.g. passwords)
    output_downloaded_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # What the worker is doing now (读取/校验/写入), shown beside the progress bar.
    stage = models.CharField(max_length=32, blank=True, verbose_name=_("阶段"))
    # The importer's figures for the finished page: [[label, value], …] in display order.
    summary = models.JSONField(default=list, blank=True, verbose_name=_("结果汇总"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("上传时间"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("开始时间"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("结束时间"))

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [
            # The import list of a region, newest first (keyset on id)
            models.Index(fields=["region_code", "-id"], name="importrun_region"),
            # Purging finished runs' files: WHERE finished_at < ?
            models.Index(fields=["finished_at"], name="importrun_finished"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    def get_kind_display(self) -> str:
        from renda.imports.registry import label_of

        return str(label_of(self.kind))

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        if self.state == State.SUCCEEDED:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def rate(self) -> float | None:
        """Rows a second so far (None before there is anything to measure)."""
        seconds = self.seconds
        if not seconds or not self.processed:
            return None
        return self.processed / seconds

    @property
    def eta_seconds(self) -> float | None:
        rate = self.rate
        if rate is None or not self.total or self.is_finished:
            return None
        return max(self.total - self.processed, 0) / rate

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at
        if end is None:
            from django.utils import timezone

            end = timezone.now()
        return (end - self.started_at).total_seconds()
