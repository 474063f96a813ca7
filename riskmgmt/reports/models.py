"""The kvalitetsberättelse's own texts, and the background jobs that render it.

The numbers come from the other apps (facts.py); only what people write is stored here: one
text per unit, year and section of the document (SOSFS 2011:9 7 kap.), with its history.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskmgmt.core.models import TimeStampedModel
from riskmgmt.core.personnummer import no_personal_number


class Section(models.TextChoices):
    """The document's sections, in the order it prints them."""

    PROCESSES = "processer-och-rutiner", _("Processer och rutiner")
    COLLABORATION = "samverkan", _("Samverkan")
    LEGAL_CERTAINTY = "rattssaker-handlaggning", _("Rättssäker handläggning")
    IMPROVEMENT = "systematiskt-forbattringsarbete", _("Systematiskt förbättringsarbete")
    SELF_MONITORING = "egenkontroll", _("Egenkontroll")
    STATISTICS = "verksamhetsstatistik", _("Verksamhetsstatistik")
    ASSESSMENT = "bedomning-och-analys", _("Bedömning och analys")


class QualityNarrative(TimeStampedModel):
    """What the verksamhet writes in one section of one unit's kvalitetsberättelse for a year."""

    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="quality_narratives")
    year = models.PositiveSmallIntegerField(_("år"))
    section = models.CharField(_("avsnitt"), max_length=40, choices=Section.choices)
    text = models.TextField(_("text"), blank=True, validators=[no_personal_number])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("text i kvalitetsberättelsen")
        verbose_name_plural = _("texter i kvalitetsberättelsen")
        ordering = ["unit__path", "-year", "section"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "section"], name="quality_narrative_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.get_section_display()}"

    def get_absolute_url(self) -> str:
        return reverse("reports:quality-detail", args=[self.unit_id, self.year]) + f"#{self.section}"


def job_file_path(instance, filename: str) -> str:
    # Never served from MEDIA_URL: job-download checks the requester first.
    return f"reports/{timezone.now():%Y/%m}/{filename}"


class ReportJob(TimeStampedModel):
    """A document rendered in the background (a year's PDF takes a while), with its progress.

    Not audited: it is a work queue row. Its status moves by conditional updates in the
    service (document.py), never by assigning the field.
    """

    class Kind(models.TextChoices):
        QUALITY_PDF = "quality_pdf", _("Kvalitetsberättelse som pdf")

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    FINISHED = (Status.DONE, Status.FAILED)

    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.QUALITY_PDF)
    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="+")
    year = models.PositiveSmallIntegerField(_("år"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("beställd av"),
                                     on_delete=models.PROTECT, related_name="report_jobs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              editable=False)
    progress = models.PositiveSmallIntegerField(_("klart (procent)"), default=0, editable=False)
    file = models.FileField(_("fil"), upload_to=job_file_path, max_length=300, blank=True, editable=False)
    filename = models.CharField(_("filnamn"), max_length=200, blank=True, editable=False)
    error = models.TextField(_("fel"), blank=True, editable=False)
    started_at = models.DateTimeField(_("startad"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("rapportjobb")
        verbose_name_plural = _("rapportjobb")
        ordering = ["-created"]
        indexes = [models.Index(fields=["requested_by", "unit", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.year} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_stale(self) -> bool:
        """Unfinished long after any worker would have given up (the task's hard time limit):
        the worker died or the job was lost, so the page stops waiting for it."""
        limit = datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 300) + 60)
        return not self.is_finished and self.created < timezone.now() - limit
