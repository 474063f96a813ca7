"""Avvikelser, lex Sarah-rapporter and synpunkter/klagomål (DOMAIN.md A2–A4, ARCHITECTURE.md §4)."""

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

HANDLE = "deviations.handle_deviation"
WITHDRAW = "deviations.withdraw_deviation"
IVO = "deviations.record_ivo"


class Deviation(ConcurrentTransitionMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        LEX_SARAH = "lex_sarah", _("Lex Sarah-rapport")
        COMPLAINT = "complaint", _("Synpunkt eller klagomål")
        OTHER = "other", _("Övrig avvikelse")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Rapporterad")
        RECEIVED = "received", _("Mottagen")
        INVESTIGATING = "investigating", _("Under utredning")
        CONCLUDED = "concluded", _("Utredd")
        CLOSED = "closed", _("Avslutad")
        WITHDRAWN = "withdrawn", _("Återkallad")
        FORWARDED = "forwarded", _("Överlämnad")

    OPEN_STATUSES = (Status.REPORTED, Status.RECEIVED, Status.INVESTIGATING, Status.CONCLUDED)

    class Classification(models.TextChoices):
        NONE = "none", _("Inget missförhållande")
        RISK = "risk", _("Påtaglig risk för missförhållande")
        MISSFORHALLANDE = "missforhallande", _("Missförhållande")
        SERIOUS_RISK = "serious_risk", _("Påtaglig risk för allvarligt missförhållande")
        SERIOUS = "serious", _("Allvarligt missförhållande")

    SERIOUS_CLASSIFICATIONS = (Classification.SERIOUS_RISK, Classification.SERIOUS)

    class ComplainantType(models.TextChoices):
        CLIENT = "client", _("Klient eller brukare")
        RELATIVE = "relative", _("Anhörig eller närstående")
        STAFF = "staff", _("Personal")
        AUTHORITY = "authority", _("Myndighet")
        ORGANISATION = "organisation", _("Organisation eller förening")
        OTHER = "other", _("Annan")

    reference = models.CharField(_("diarienummer"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="deviations")
    process = models.ForeignKey("organisation.Process", verbose_name=_("process"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="deviations")
    title = models.CharField(_("rubrik"), max_length=200, validators=[no_personal_number])
    description = models.TextField(_("vad har hänt?"), validators=[no_personal_number])
    occurred_at = models.DateTimeField(_("när hände det?"), null=True, blank=True)
    location = models.CharField(_("var hände det?"), max_length=200, blank=True, validators=[no_personal_number])
    immediate_actions = models.TextField(_("omedelbara åtgärder"), blank=True, validators=[no_personal_number])
    consequences = models.TextField(_("konsekvenser"), blank=True, validators=[no_personal_number])
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rapportör"), on_delete=models.PROTECT,
                                 related_name="deviations_reported")
    reported_at = models.DateTimeField(_("rapporterad"), default=timezone.now)

    # Complaints (synpunkter och klagomål)
    complainant_type = models.CharField(_("vem lämnar synpunkten?"), max_length=20,
                                        choices=ComplainantType.choices, blank=True)
    anonymous = models.BooleanField(_("anonym"), default=False)
    contact = models.TextField(_("kontaktuppgifter för svar"), blank=True)
    answer = models.TextField(_("svar till den som lämnat synpunkten"), blank=True, validators=[no_personal_number])
    answered_on = models.DateField(_("besvarad"), null=True, blank=True)
    forwarded_to = models.CharField(_("överlämnad till"), max_length=200, blank=True)
    complainant_notified_on = models.DateField(_("den som klagat underrättad"), null=True, blank=True)

    # Lex Sarah investigation and ställningstagande
    what_happened = models.TextField(_("vad som hänt (utredning)"), blank=True, validators=[no_personal_number])
    causes = models.TextField(_("orsaker"), blank=True, validators=[no_personal_number])
    classification = models.CharField(_("bedömning"), max_length=20, choices=Classification.choices, blank=True)
    decided_by = models.CharField(_("beslutsfattare"), max_length=200, blank=True)
    delegation_ref = models.CharField(_("delegationspunkt"), max_length=100, blank=True)

    # Other deviations
    conclusion = models.TextField(_("slutsats"), blank=True, validators=[no_personal_number])

    investigator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("utredare"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="deviations_investigating")
    feedback = models.TextField(_("återkoppling till rapportören"), blank=True, validators=[no_personal_number])
    feedback_given_on = models.DateField(_("återkoppling given"), null=True, blank=True)
    no_action_reason = models.TextField(_("skäl till att inga åtgärder behövs"), blank=True)
    withdraw_reason = models.TextField(_("skäl till återkallelse"), blank=True)

    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED,
                      editable=False)
    received_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("utredd"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    # The nearest open deadline, kept current by the services: the inbox sorts on it.
    next_due = models.DateField(_("nästa frist"), null=True, blank=True)
    # Counted from reported_at by the services with the DeadlineRule of each step.
    receipt_due = models.DateField(null=True, blank=True, editable=False)
    conclusion_due = models.DateField(null=True, blank=True, editable=False)
    ivo_notification_due = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["next_due"])

    class Meta:
        verbose_name = _("avvikelse")
        verbose_name_plural = _("avvikelser")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["unit", "status", "next_due"]),
            models.Index(fields=["reporter", "reported_at"]),
            models.Index(fields=["kind", "reported_at"]),
            models.Index(fields=["status", "receipt_due"]),
            models.Index(fields=["status", "conclusion_due"]),
            models.Index(fields=["status", "ivo_notification_due"]),
            models.Index(fields=["reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("deviations:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_serious(self) -> bool:
        return self.kind == self.Kind.LEX_SARAH and self.classification in self.SERIOUS_CLASSIFICATIONS

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.next_due is not None and self.next_due < timezone.localdate()

    # ---- guards (pure: fields only, plus prefetched relations set by the service)

    def _concluded_enough(self) -> bool:
        return not self.conclusion_missing()

    def conclusion_missing(self) -> list[str]:
        """What the kind's conclusion still lacks (DOMAIN.md A3, ARCHITECTURE.md §4)."""
        if self.kind == self.Kind.LEX_SARAH:
            return [f for f in ("what_happened", "consequences", "causes", "classification") if not getattr(self, f)]
        if self.kind == self.Kind.COMPLAINT:
            if self.anonymous:
                return []
            return [f for f in ("answer", "answered_on") if not getattr(self, f)]
        return [] if self.conclusion else ["conclusion"]

    def ivo_track_complete(self) -> bool:
        if not self.is_serious:
            return True
        notification = getattr(self, "ivo_notification", None)
        return notification is not None and notification.status != IvoNotification.Status.SENT

    # `has_decided_actions` is set by the service before `close` (it needs a query).
    has_decided_actions = False

    @transition(status, source=Status.REPORTED, target=Status.RECEIVED, permission=HANDLE,
                custom={"label": _("Ta emot")})
    def receive(self) -> None:
        """A manager has received the report and recorded immediate measures."""
        self.received_at = timezone.now()

    @transition(status, source=Status.RECEIVED, target=Status.INVESTIGATING, permission=HANDLE,
                custom={"label": _("Starta utredning")})
    def start_investigation(self) -> None:
        """The investigation has begun."""

    @transition(status, source=Status.INVESTIGATING, target=Status.CONCLUDED, permission=HANDLE,
                conditions=[Guard("conclusion", _("Utredningen är inte klar."), _concluded_enough, from_input=True)],
                custom={"label": _("Avsluta utredningen")})
    def conclude(self) -> None:
        """The investigation is concluded with the kind's ställningstagande."""
        self.concluded_at = timezone.now()

    @transition(status, source=Status.CONCLUDED, target=Status.CLOSED, permission=HANDLE,
                conditions=[
                    Guard("feedback_given_on", _("Ange när rapportören fick återkoppling."), from_input=True),
                    Guard("actions", _("Besluta minst en åtgärd eller ange varför ingen åtgärd behövs."),
                          lambda d: d.has_decided_actions or bool(d.no_action_reason), from_input=True),
                    Guard("ivo_notification",
                          _("Ett allvarligt missförhållande kan inte avslutas förrän anmälan till IVO är gjord "
                            "och utredningen har skickats till IVO."), ivo_track_complete),
                ],
                custom={"label": _("Avsluta ärendet")})
    def close(self) -> None:
        """The case is closed: actions decided, reporter given feedback, IVO track complete."""
        self.closed_at = timezone.now()

    @transition(status, source=[Status.REPORTED, Status.RECEIVED], target=Status.WITHDRAWN, permission=WITHDRAW,
                conditions=[Guard("withdraw_reason", _("Ange varför rapporten återkallas."), from_input=True)],
                custom={"label": _("Återkalla")})
    def withdraw(self) -> None:
        """Filed by mistake or a duplicate; the reason is kept and nothing is deleted."""

    @transition(status, source=[Status.RECEIVED, Status.INVESTIGATING], target=Status.FORWARDED, permission=HANDLE,
                conditions=[
                    Guard("kind", _("Bara synpunkter och klagomål kan överlämnas."),
                          lambda d: d.kind == Deviation.Kind.COMPLAINT),
                    Guard("forwarded_to", _("Ange vem klagomålet överlämnas till."), from_input=True),
                    Guard("complainant_notified_on", _("Ange när den som klagat underrättades."), from_input=True),
                ],
                custom={"label": _("Överlämna")})
    def forward(self) -> None:
        """A complaint another body should handle is passed on and the complainant told."""


TRANSITION_NAMES = ("receive", "start_investigation", "conclude", "close", "withdraw", "forward")


class IvoNotification(ConcurrentTransitionMixin, TimeStampedModel):
    """The lex Sarah anmälan to IVO: a parallel track to the deviation (DOMAIN.md A4)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Anmäld till IVO")
        INVESTIGATION_SENT = "investigation_sent", _("Utredningen skickad")
        IVO_CLOSED = "ivo_closed", _("IVO har avslutat ärendet")
        SUPERVISION_OPENED = "supervision_opened", _("IVO har inlett tillsyn")

    deviation = models.OneToOneField(Deviation, on_delete=models.PROTECT, related_name="ivo_notification")
    sent_on = models.DateField(_("anmäld"))
    ivo_reference = models.CharField(_("IVO:s diarienummer"), max_length=60, blank=True)
    investigation_attached = models.BooleanField(_("utredningen bifogad"), default=False)
    investigation_due = models.DateField(_("utredningen ska vara hos IVO senast"), null=True, blank=True)
    investigation_sent_on = models.DateField(_("utredningen skickad"), null=True, blank=True)
    decided_on = models.DateField(_("IVO:s beslut"), null=True, blank=True)
    supervision_decision = models.ForeignKey("supervision.SupervisionDecision", verbose_name=_("tillsynsärende"),
                                             null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="ivo_notifications")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anmälan till IVO")
        verbose_name_plural = _("anmälningar till IVO")
        indexes = [models.Index(fields=["status", "investigation_due"])]

    def __str__(self) -> str:
        return f"IVO {self.ivo_reference or self.deviation.reference}"

    def get_absolute_url(self) -> str:
        return self.deviation.get_absolute_url() + "#ivo"

    @transition(status, source=Status.SENT, target=Status.INVESTIGATION_SENT, permission=IVO,
                conditions=[Guard("investigation_sent_on", _("Ange när utredningen skickades."), from_input=True)],
                custom={"label": _("Utredningen skickad till IVO")})
    def send_investigation(self) -> None:
        """The finished investigation has reached IVO."""

    @transition(status, source=Status.INVESTIGATION_SENT, target=Status.IVO_CLOSED, permission=IVO,
                conditions=[Guard("decided_on", _("Ange datum för IVO:s beslut."), from_input=True)],
                custom={"label": _("IVO har avslutat ärendet")})
    def record_closed(self) -> None:
        """IVO closed the case ("ärendet avslutas")."""

    @transition(status, source=Status.INVESTIGATION_SENT, target=Status.SUPERVISION_OPENED, permission=IVO,
                conditions=[Guard("supervision_decision", _("Ange tillsynsärendet."),
                                  lambda n: n.supervision_decision_id is not None, from_input=True)],
                custom={"label": _("IVO har inlett tillsyn")})
    def record_supervision(self) -> None:
        """IVO opened a tillsyn; the supervision decision is linked."""


IVO_TRANSITION_NAMES = ("send_investigation", "record_closed", "record_supervision")


def attachment_path(instance, filename: str) -> str:
    # Never the user's file name on disk: it may hold a client's name.
    return f"attachments/{instance.deviation_id}/{instance.token}"


class Attachment(TimeStampedModel):
    deviation = models.ForeignKey(Deviation, on_delete=models.PROTECT, related_name="attachments")
    token = models.CharField(max_length=64, unique=True, editable=False)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("filnamn"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")
        ordering = ["created"]

    def __str__(self) -> str:
        return self.original_name


class DeviationAccess(models.Model):
    """Every read of a deviation's detail (DOMAIN.md A11): who and when."""

    deviation = models.ForeignKey(Deviation, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    via = models.CharField(max_length=10, default="web")

    class Meta:
        verbose_name = _("läsning")
        verbose_name_plural = _("åtkomstlogg")
        ordering = ["-at"]
        indexes = [models.Index(fields=["deviation", "at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"
