"""The internal control plan (egenkontroll, SOSFS 2011:9 5 kap. 2 §): what a unit checks, how
and how often each year, and the checks performed.

A `ControlPoint` belongs to one unit and one year; its frequency gives the year's planned
periods (12 monthly, 4 quarterly, 1 yearly). A `ControlCheck` is one performed check for one
of those periods. Planned checks are never stored: a period without a check is simply not
performed yet, and late once its period (plus the `control_check` rule's grace days) is over.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskmgmt.core.models import TimeStampedModel
from riskmgmt.core.personnummer import no_personal_number

RULE_CODE = "control_check"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Varje månad")
    QUARTERLY = "quarterly", _("Varje kvartal")
    YEARLY = "yearly", _("En gång om året")


PERIODS_PER_YEAR = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.YEARLY: 1}
MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


@dataclass(frozen=True)
class Period:
    """One planned check's period of a control point: its first and last day."""

    frequency: str
    start: datetime.date

    @property
    def end(self) -> datetime.date:
        months = MONTHS_PER_PERIOD[self.frequency]
        month_index = self.start.month - 1 + months
        following = datetime.date(self.start.year + month_index // 12, month_index % 12 + 1, 1)
        return following - datetime.timedelta(days=1)

    @property
    def number(self) -> int:
        return (self.start.month - 1) // MONTHS_PER_PERIOD[self.frequency] + 1

    @property
    def label(self) -> str:
        if self.frequency == Frequency.MONTHLY:
            return formats.date_format(self.start, "F Y").capitalize()
        if self.frequency == Frequency.QUARTERLY:
            return str(_("Kvartal %(n)s %(year)s") % {"n": self.number, "year": self.start.year})
        return str(_("År %(year)s") % {"year": self.start.year})

    @property
    def short_label(self) -> str:
        """A compact label for the plan's period grid: "jan", "K1", "2026"."""
        if self.frequency == Frequency.MONTHLY:
            return formats.date_format(self.start, "M").lower()
        if self.frequency == Frequency.QUARTERLY:
            return str(_("K%(n)s") % {"n": self.number})
        return str(self.start.year)

    def due_date(self, grace_days: int = 0) -> datetime.date:
        return self.end + datetime.timedelta(days=grace_days)


def periods_of(frequency: str, year: int) -> list[Period]:
    """The planned periods of one year, in order."""
    step = MONTHS_PER_PERIOD[frequency]
    return [Period(frequency, datetime.date(year, month, 1)) for month in range(1, 13, step)]


class ControlPoint(TimeStampedModel):
    """One line of a unit's internal control plan for a year: what is checked, how, how often, by whom."""

    class Method(models.TextChoices):
        SAMPLE = "stickprov", _("Stickprov")
        FILE_REVIEW = "aktgranskning", _("Aktgranskning")
        STATISTICS = "statistik", _("Statistik")
        OTHER = "annat", _("Annat")

    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="control_points")
    year = models.PositiveSmallIntegerField(_("år"))
    title = models.CharField(_("vad kontrolleras"), max_length=200, validators=[no_personal_number])
    description = models.TextField(_("beskrivning"), blank=True, validators=[no_personal_number])
    method = models.CharField(_("metod"), max_length=20, choices=Method.choices)
    frequency = models.CharField(_("hur ofta"), max_length=20, choices=Frequency.choices)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ansvarig"), on_delete=models.PROTECT,
                                    related_name="control_points")
    is_active = models.BooleanField(_("aktiv"), default=True,
                                    help_text=_("En kontrollpunkt som inte är aktiv ingår inte i årets plan."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kontrollpunkt")
        verbose_name_plural = _("kontrollpunkter")
        ordering = ["-year", "unit__path", "title", "pk"]
        indexes = [models.Index(fields=["year", "is_active"], name="control_point_year_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(year__range=(2000, 2100)), name="control_point_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("controls:list") + f"?year={self.year}#punkt-{self.pk}"

    @property
    def planned_count(self) -> int:
        return PERIODS_PER_YEAR[Frequency(self.frequency)]

    def periods(self) -> list[Period]:
        return periods_of(self.frequency, self.year)

    def period_for(self, start: datetime.date | None) -> Period | None:
        """The planned period that starts on `start`, or None if there is none."""
        return next((p for p in self.periods() if p.start == start), None)


class ControlCheck(TimeStampedModel):
    """One performed check for one period of a control point, with what it found."""

    control_point = models.ForeignKey(ControlPoint, verbose_name=_("kontrollpunkt"), on_delete=models.PROTECT,
                                      related_name="checks")
    period_start = models.DateField(_("period"))
    performed_on = models.DateField(_("genomförd"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("genomförd av"),
                                     on_delete=models.PROTECT, related_name="control_checks")
    sample_size = models.PositiveIntegerField(_("antal granskade"), null=True, blank=True)
    findings = models.BooleanField(_("brister hittades"), default=False)
    description = models.TextField(_("resultat"), blank=True, validators=[no_personal_number])
    deviation = models.OneToOneField("deviations.Deviation", verbose_name=_("avvikelse"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="control_check")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("genomförd egenkontroll")
        verbose_name_plural = _("genomförda egenkontroller")
        ordering = ["period_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["control_point", "period_start"], name="control_check_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.control_point.title}, {self.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("controls:check-detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.control_point.frequency, self.period_start)
