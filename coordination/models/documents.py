"""Official documents (公文) as issued (issue 20): the register of document numbers and the files kept as issued.

A document is previewed as often as wanted from its page (the minutes, the circular, a briefing) and issued once:
the issue takes the next number of its series for the issuing unit and year (津特镇办〔2026〕12号, 2026年第12期),
writes the file with that number in it and keeps the file. An issued document is never made again: a correction
is a new issue, with a new number, that refers to the one it replaces (`corrects`), which stops being current.
The rows are the record of who issued what and when; nothing edits them afterwards but the `current` flag.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import OrgUnit


class DocumentKind(models.TextChoices):
    MINUTES = "minutes", _("会议纪要")
    WORK_BRIEFING = "work_briefing", _("工作简报")
    ASSESSMENT_BRIEFING = "assessment_briefing", _("考核简报")
    CIRCULAR = "circular", _("督办通报")
    RESULTS_CIRCULAR = "results_circular", _("年度考核结果通报")


class DocumentSeries(models.TextChoices):
    """A run of numbers. The office's circulars share its document numbers (发文字号) and its briefings one
    publication's issues (期号), whatever the kind; each unit numbers the minutes of its own meetings."""

    OFFICE = "office", _("市特镇办发文")
    BRIEFING = "briefing", _("特色小镇建设工作简报")
    MINUTES = "minutes", _("会议纪要")


SERIES = {
    DocumentKind.MINUTES: DocumentSeries.MINUTES,
    DocumentKind.WORK_BRIEFING: DocumentSeries.BRIEFING,
    DocumentKind.ASSESSMENT_BRIEFING: DocumentSeries.BRIEFING,
    DocumentKind.CIRCULAR: DocumentSeries.OFFICE,
    DocumentKind.RESULTS_CIRCULAR: DocumentSeries.OFFICE,
}
NUMBER_FORMATS = {
    DocumentSeries.OFFICE: "津特镇办〔{year}〕{serial}号",
    DocumentSeries.BRIEFING: "{year}年第{serial}期",
    DocumentSeries.MINUTES: "{year}年第{serial}期",
}


def document_number(series: str, year: int, serial: int) -> str:
    return NUMBER_FORMATS[DocumentSeries(series)].format(year=year, serial=serial)


class DocumentSequence(models.Model):
    """The last number given in a series by a unit in a year: the row locked while the next is given."""

    series = models.CharField(_("编号序列"), max_length=12, choices=DocumentSeries.choices)
    issuer = models.ForeignKey(OrgUnit, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("文号登记")
        constraints = [models.UniqueConstraint(fields=["series", "issuer", "year"], name="document_sequence_once")]

    def __str__(self) -> str:
        return f"{self.get_series_display()} {self.year}: {self.last}"


def _issued_path(document: "IssuedDocument", filename: str) -> str:
    return f"documents/{document.year}/{filename}"


class IssuedDocument(models.Model):
    kind = models.CharField(_("文种"), max_length=24, choices=DocumentKind.choices)
    series = models.CharField(_("编号序列"), max_length=12, choices=DocumentSeries.choices)
    issuer = models.ForeignKey(OrgUnit, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    issued_on = models.DateField(_("印发日期"))
    issued_at = models.DateTimeField(_("印发时间"), auto_now_add=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("印发人"), on_delete=models.PROTECT, related_name="+"
    )
    # What the document is made from, e.g. "meeting:12", "circular:2026-4": a source has one current document.
    source = models.CharField(_("来源"), max_length=80)
    source_url = models.CharField(_("来源页面"), max_length=300, blank=True)
    file = models.FileField(_("印发件"), upload_to=_issued_path, max_length=300)
    filename = models.CharField(_("文件名"), max_length=200)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.CharField(_("更正原因"), max_length=500, blank=True)
    current = models.BooleanField(_("现行有效"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("印发文件")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "issuer", "year", "serial"], name="document_number_once"),
            models.UniqueConstraint(fields=["kind", "source"], condition=Q(current=True), name="document_current_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def issuer_name(self) -> str:
        """The municipality's documents are the office's (市特镇办); a district's are its own."""
        from tianjin_towns.lib.documents import OFFICE

        return str(OFFICE) if self.issuer.level == OrgUnit.Level.MUNICIPAL else self.issuer.name
