"""Decisions from IVO, JO, courts and auditors, split into requirements with report-back dates
(DOMAIN.md §5, ARCHITECTURE.md §4)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from riskmgmt.core.fsm import Guard
from riskmgmt.core.models import TimeStampedModel
from riskmgmt.core.personnummer import no_personal_number

RECORD = "supervision.record_decision"
REPORT = "supervision.report_requirement"


def document_path(instance, filename: str) -> str:
    # The stored name never carries the user's file name (it may hold a client's name).
    return f"supervision/{timezone.now():%Y/%m}/{instance.document_token}"


class SupervisionDecision(ConcurrentTransitionMixin, TimeStampedModel):
    class Authority(models.TextChoices):
        IVO = "ivo", _("IVO")
        JO = "jo", _("JO")
        COURT = "court", _("Förvaltningsrätt/kammarrätt")
        AUDIT = "audit", _("Revision")
        OTHER = "other", _("Annan")

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Tillsyn")
        COMPLAINT = "complaint", _("Klagomål")
        LEX_SARAH = "lex_sarah", _("Uppföljning av lex Sarah-anmälan")
        JO_COMPLAINT = "jo_complaint", _("JO-anmälan")
        JO_INSPECTION = "jo_inspection", _("JO-inspektion")
        RULING = "ruling", _("Dom")
        AUDIT = "audit", _("Granskning")

    class Outcome(models.TextChoices):
        NO_CRITICISM = "no_criticism", _("Ingen kritik")
        CRITICISM = "criticism", _("Kritik")
        SERIOUS_CRITICISM = "serious_criticism", _("Allvarlig kritik")
        INJUNCTION = "injunction", _("Föreläggande")
        INJUNCTION_WITH_FINE = "injunction_with_fine", _("Föreläggande med vite")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Mottaget")
        RESPONDING = "responding", _("Yttrande begärt")
        DECIDED = "decided", _("Beslut meddelat")
        REPORTING_BACK = "reporting_back", _("Redovisning pågår")
        CLOSED = "closed", _("Avslutat")

    authority = models.CharField(_("myndighet"), max_length=10, choices=Authority.choices)
    # The reference names the case in reminders and e-mails, so it is checked like free text.
    reference = models.CharField(_("diarienummer"), max_length=60, validators=[no_personal_number],
                                 help_text=_("Myndighetens diarienummer, t.ex. 8.5-29206/2014 eller 3673-2020."))
    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="supervision_decisions")
    subject = models.CharField(_("ärende"), max_length=200, validators=[no_personal_number])
    kind = models.CharField(_("typ av ärende"), max_length=20, choices=Kind.choices)
    received_on = models.DateField(_("inkom"))
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True)
    outcome = models.CharField(_("utfall"), max_length=30, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True, validators=[no_personal_number])
    document = models.FileField(_("beslutet"), upload_to=document_path, max_length=300, blank=True)
    document_token = models.CharField(max_length=64, blank=True, editable=False)
    document_name = models.CharField(_("filnamn"), max_length=255, blank=True)
    processes = models.ManyToManyField("organisation.Process", verbose_name=_("processer"), blank=True,
                                       related_name="supervision_decisions")
    deviation = models.ForeignKey("deviations.Deviation", verbose_name=_("lex Sarah-ärende"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="supervision_decisions")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registrerat av"),
                                    on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("avslutat"), null=True, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, editable=False)
    history = HistoricalRecords(m2m_fields=[processes])

    # Set by the service before a transition that needs a query.
    has_requirements = False
    requirements_settled = False

    class Meta:
        verbose_name = _("tillsynsbeslut")
        verbose_name_plural = _("tillsynsbeslut")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "authority"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["received_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_display()} {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:detail", args=[self.pk])

    @transition(status, source=Status.RECEIVED, target=Status.RESPONDING, permission=RECORD,
                custom={"label": _("Yttrande begärt")})
    def request_statement(self) -> None:
        """The authority asked the nämnd for a statement (yttrande/remiss) before deciding."""

    @transition(status, source=[Status.RECEIVED, Status.RESPONDING], target=Status.DECIDED, permission=RECORD,
                conditions=[
                    Guard("decided_on", _("Ange beslutsdatum."), from_input=True),
                    Guard("outcome", _("Ange utfallet."), from_input=True),
                ],
                custom={"label": _("Registrera beslut")})
    def record_decision(self) -> None:
        """The authority's decision has arrived."""

    @transition(status, source=Status.DECIDED, target=Status.REPORTING_BACK, permission=RECORD,
                conditions=[Guard("requirements", _("Lägg in minst ett krav att redovisa."),
                                  lambda d: d.has_requirements)],
                custom={"label": _("Påbörja redovisning")})
    def start_report_back(self) -> None:
        """The decision requires the nämnd to report measures back by a date."""

    @transition(status, source=[Status.DECIDED, Status.REPORTING_BACK], target=Status.CLOSED, permission=RECORD,
                conditions=[
                    Guard("closed_on", _("Ange när ärendet avslutades."), from_input=True),
                    Guard("requirements", _("Alla krav måste vara godtagna av myndigheten."),
                          lambda d: d.requirements_settled),
                ],
                custom={"label": _("Avsluta ärendet")})
    def close(self) -> None:
        """The authority has closed the case (every requirement accepted, or none were set)."""


DECISION_TRANSITION_NAMES = ("request_statement", "record_decision", "start_report_back", "close")


class Requirement(ConcurrentTransitionMixin, TimeStampedModel):
    """One criticised point the nämnd must remedy and report back on ("redovisa senast")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Öppet")
        REPORTED = "reported", _("Redovisat")
        ACCEPTED = "accepted", _("Godtaget")

    decision = models.ForeignKey(SupervisionDecision, verbose_name=_("beslut"), on_delete=models.PROTECT,
                                 related_name="requirements")
    text = models.TextField(_("krav"), validators=[no_personal_number])
    due_date = models.DateField(_("redovisas senast"))
    process = models.ForeignKey("organisation.Process", verbose_name=_("process"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="requirements")
    reported_on = models.DateField(_("redovisat"), null=True, blank=True)
    report_summary = models.TextField(_("redovisning"), blank=True, validators=[no_personal_number])
    report_document = models.FileField(_("redovisningen"), upload_to="supervision/reports/%Y/%m", max_length=300,
                                       blank=True)
    accepted_on = models.DateField(_("godtaget"), null=True, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("krav")
        verbose_name_plural = _("krav")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["process", "status"])]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("supervision:detail", args=[self.decision_id]) + f"#krav-{self.pk}"

    @transition(status, source=Status.OPEN, target=Status.REPORTED, permission=REPORT,
                conditions=[
                    Guard("reported_on", _("Ange när redovisningen skickades."), from_input=True),
                    Guard("report_summary", _("Sammanfatta vad som redovisades."), from_input=True),
                ],
                custom={"label": _("Redovisa")})
    def report_back(self) -> None:
        """The nämnd has reported its measures to the authority."""

    @transition(status, source=Status.REPORTED, target=Status.ACCEPTED, permission=REPORT,
                custom={"label": _("Myndigheten har godtagit redovisningen")})
    def accept(self) -> None:
        """The authority found the report sufficient."""
        self.accepted_on = self.accepted_on or timezone.localdate()


REQUIREMENT_TRANSITION_NAMES = ("report_back", "accept")


class StatementRequest(TimeStampedModel):
    """The authority's request for a statement (yttrande, remiss) with its own reply date."""

    decision = models.ForeignKey(SupervisionDecision, verbose_name=_("ärende"), on_delete=models.PROTECT,
                                 related_name="statement_requests")
    requested_on = models.DateField(_("begärt"))
    due_date = models.DateField(_("yttrande senast"))
    description = models.TextField(_("vad som efterfrågas"), blank=True, validators=[no_personal_number])
    submitted_on = models.DateField(_("yttrande skickat"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("skickat av"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("begäran om yttrande")
        verbose_name_plural = _("begäranden om yttrande")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["submitted_on", "due_date"])]

    def __str__(self) -> str:
        return f"{_('Yttrande senast')} {self.due_date:%Y-%m-%d}"
