"""The notification outbox, the deadline rules and the log of deadline notices already sent.

`Notification` is an outbox row: written in the same transaction as the change that caused it,
delivered by a Celery task after commit and retried by a periodic job until it is sent. It is
not history-audited, so claims use conditional `.update()` (STYLE.md §3).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

annual_due_validator = RegexValidator(
    r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", _("Ange datumet som MM-DD, t.ex. 03-31.")
)


class Notification(models.Model):
    """One message to one user: shown in the in-app list and sent once by e-mail."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mottagare"),
        # A notification is derived data; it goes with its user.
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("typ"), max_length=50)
    subject = models.CharField(_("ämne"), max_length=255)
    body = models.TextField(_("text"))
    url = models.CharField(_("länk"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_object = GenericForeignKey("content_type", "object_id")
    created = models.DateTimeField(_("skapad"), default=timezone.now, editable=False)
    due_at = models.DateTimeField(
        _("nästa leveransförsök"), default=timezone.now, db_index=True
    )
    sent_at = models.DateTimeField(_("skickad"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    last_error = models.CharField(_("senaste fel"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("läst"), null=True, blank=True)

    class Meta:
        verbose_name = _("notis")
        verbose_name_plural = _("notiser")
        ordering = ["-created", "-pk"]
        indexes = [
            # The retry job: unsent rows whose next attempt is due.
            models.Index(
                fields=["due_at"], name="notification_unsent_due_idx", condition=Q(sent_at=None)
            ),
            # The header count and the in-app list.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created"], name="notification_list_idx"),
            models.Index(fields=["content_type", "object_id"], name="notification_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.pk})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeadlineRule(models.Model):
    """A deadline and how it is reminded and escalated (DOMAIN.md A1, A5): data, not code."""

    class EscalateTo(models.TextChoices):
        NEXT_MANAGER = "next_manager", _("Närmaste chef uppåt")
        MANAGEMENT = "management", _("Ledningsgruppen")

    code = models.SlugField(_("kod"), max_length=64, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    applies_to = models.CharField(_("gäller"), max_length=300, blank=True)
    days = models.PositiveIntegerField(_("dagar"), null=True, blank=True)
    months = models.PositiveIntegerField(_("månader"), null=True, blank=True)
    annual_due = models.CharField(
        _("årligt datum (MM-DD)"),
        max_length=5,
        blank=True,
        default="",
        validators=[annual_due_validator],
    )
    reminder_offsets = models.JSONField(
        _("påminnelser (dagar före)"),
        default=list,
        blank=True,
        help_text=_("Lista med antal dagar före förfallodagen, t.ex. [7, 1]."),
    )
    escalation_after_days = models.PositiveIntegerField(
        _("eskalera efter (dagar efter förfallodagen)"),
        null=True,
        blank=True,
        help_text=_("Tomt: ingen eskalering. 0: första dagen efter förfallodagen."),
    )
    escalate_to = models.CharField(
        _("eskalera till"),
        max_length=20,
        choices=EscalateTo.choices,
        default=EscalateTo.NEXT_MANAGER,
    )
    legal_basis = models.TextField(_("grund"), blank=True)
    valid_from = models.DateField(_("gäller från"), default=datetime.date(2000, 1, 1))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tidsfrist")
        verbose_name_plural = _("tidsfrister")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="deadlinerule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        periods = [self.days is not None, self.months is not None, bool(self.annual_due)]
        if sum(periods) > 1:
            raise ValidationError(
                _("Ange högst en av dagar, månader och årligt datum.")
            )
        offsets = self.reminder_offsets
        if not isinstance(offsets, list) or not all(
            isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offsets
        ):
            raise ValidationError(
                {"reminder_offsets": _("Ange en lista med heltal ≥ 0, t.ex. [7, 1].")}
            )
        if self.annual_due:
            month, day = (int(part) for part in self.annual_due.split("-"))
            try:
                datetime.date(2000, month, day)  # 2000 is a leap year: 02-29 is allowed
            except ValueError:
                raise ValidationError({"annual_due": _("Datumet finns inte.")}) from None
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Slutdatum före startdatum.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.is_active
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class DeadlineNotice(models.Model):
    """That one reminder, overdue notice or escalation was sent for one object and due date.

    The unique constraint makes the deadline job idempotent, also when two runs overlap;
    a changed due date is a new key, so the new date gets its own notices.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Påminnelse")
        OVERDUE = "overdue", _("Försenad")
        ESCALATION = "escalation", _("Eskalering")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target_object = GenericForeignKey("content_type", "object_id")
    rule_code = models.SlugField(_("regel"), max_length=64)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    due_date = models.DateField(_("förfallodag"))
    offset = models.IntegerField(_("dagar före"), default=0)
    created = models.DateTimeField(_("skapad"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("skickad fristpåminnelse")
        verbose_name_plural = _("skickade fristpåminnelser")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "rule_code", "kind", "due_date", "offset"],
                name="deadlinenotice_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.kind} {self.content_type_id}:{self.object_id} {self.due_date}"
