"""Background jobs that produce a file for one user (R-3.7: large Excel exports).

A row per request: the worker reports its progress here, the page polls it, and the finished file
waits in storage under MEDIA_ROOT/exports/ until the user downloads it. A job whose worker was lost and
that no run will finish is failed by the sweep in coordination/services/jobs.py (started_at and
created_at tell how long it has been going).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("类别"), max_length=40)  # which task builds it, e.g. "ledger"
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    back_link = models.CharField(_("来源页面"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=300, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
