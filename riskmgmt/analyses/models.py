"""Händelseanalys (SKL model): what happened, why, and how to stop it happening again — never who."""

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

WORK = "analyses.work_on_analysis"  # lead and team edit the content
START = "analyses.start_analysis"  # lead or commissioner
SUBMIT = "analyses.submit_report"  # the lead
COMMISSION = "analyses.commission_analysis"  # the commissioner (uppdragsgivare) decides


class CauseArea(models.Model):
    """An orsaksområde (DOMAIN.md A7); installations may add more in the admin."""

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=120)
    order = models.PositiveSmallIntegerField(_("ordning"), default=100)
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("orsaksområde")
        verbose_name_plural = _("orsaksområden")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class EventAnalysis(ConcurrentTransitionMixin, TimeStampedModel):
    class Status(models.TextChoices):
        COMMISSIONED = "commissioned", _("Beställd")
        IN_PROGRESS = "in_progress", _("Pågår")
        REPORT_SUBMITTED = "report_submitted", _("Rapport inlämnad")
        ACTIONS_DECIDED = "actions_decided", _("Åtgärder beslutade")
        FOLLOWED_UP = "followed_up", _("Uppföljd")
        CANCELLED = "cancelled", _("Avbruten")

    OPEN_STATUSES = (Status.COMMISSIONED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED, Status.ACTIONS_DECIDED)

    reference = models.CharField(_("diarienummer"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("rubrik"), max_length=200, validators=[no_personal_number])
    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="event_analyses")
    deviations = models.ManyToManyField("deviations.Deviation", verbose_name=_("avvikelser"), blank=True,
                                        related_name="event_analyses")
    scope = models.TextField(_("uppdrag och avgränsning"), validators=[no_personal_number])
    commissioner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uppdragsgivare"),
                                     on_delete=models.PROTECT, related_name="analyses_commissioned")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("analysledare"),
                             on_delete=models.PROTECT, related_name="analyses_led")
    due_date = models.DateField(_("rapport senast"))
    method = models.TextField(_("metod och källor"), blank=True, validators=[no_personal_number])
    summary = models.TextField(_("sammanfattning"), blank=True, validators=[no_personal_number])
    event_description = models.TextField(_("händelsen och dess konsekvenser"), blank=True,
                                         validators=[no_personal_number])
    lessons = models.TextField(_("lärdomar"), blank=True, validators=[no_personal_number])
    recurrence_probability = models.PositiveSmallIntegerField(_("sannolikhet för upprepning (1–4)"), null=True,
                                                              blank=True)
    recurrence_consequence = models.PositiveSmallIntegerField(_("konsekvens vid upprepning (1–4)"), null=True,
                                                              blank=True)
    decision_comment = models.TextField(_("beslut och tidplan"), blank=True)
    feedback_given_on = models.DateField(_("återkoppling till personal given"), null=True, blank=True)
    follow_up_comment = models.TextField(_("uppföljning"), blank=True, validators=[no_personal_number])
    cancel_reason = models.TextField(_("skäl till avbrott"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.COMMISSIONED,
                      editable=False)
    history = HistoricalRecords(m2m_fields=[deviations])

    # Facts the guards need that take queries; the service sets them before a transition.
    has_timeline = False
    has_root_cause_with_area = False
    has_proposed_actions = False
    all_actions_evaluated = False

    class Meta:
        verbose_name = _("händelseanalys")
        verbose_name_plural = _("händelseanalyser")
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("analyses:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.status in (self.Status.COMMISSIONED, self.Status.IN_PROGRESS) and \
            self.due_date < timezone.localdate()

    @transition(status, source=Status.COMMISSIONED, target=Status.IN_PROGRESS, permission=START,
                custom={"label": _("Starta analysen")})
    def start(self) -> None:
        """The team begins gathering facts."""

    @transition(status, source=Status.IN_PROGRESS, target=Status.REPORT_SUBMITTED, permission=SUBMIT,
                conditions=[
                    Guard("timeline", _("Tidslinjen saknar händelser."), lambda a: a.has_timeline),
                    Guard("causes", _("Minst en grundorsak med orsaksområde behövs."),
                          lambda a: a.has_root_cause_with_area),
                    Guard("actions", _("Föreslå minst en åtgärd."), lambda a: a.has_proposed_actions),
                    Guard("summary", _("Skriv en sammanfattning."), from_input=True),
                ],
                custom={"label": _("Lämna rapporten till uppdragsgivaren")})
    def submit_report(self) -> None:
        """The analysis report goes to the commissioner."""
        self.submitted_at = timezone.now()

    @transition(status, source=Status.REPORT_SUBMITTED, target=Status.ACTIONS_DECIDED, permission=COMMISSION,
                custom={"label": _("Besluta åtgärder")})
    def decide_actions(self) -> None:
        """The commissioner decides the actions and their timetable."""
        self.decided_at = timezone.now()

    @transition(status, source=Status.ACTIONS_DECIDED, target=Status.FOLLOWED_UP, permission=COMMISSION,
                conditions=[
                    Guard("actions", _("Alla åtgärder måste vara utvärderade (eller avbrutna) innan uppföljningen."),
                          lambda a: a.all_actions_evaluated),
                    Guard("feedback_given_on", _("Ange när personalen fick återkoppling."), from_input=True),
                ],
                custom={"label": _("Registrera uppföljning")})
    def record_follow_up(self) -> None:
        """Every action's effect is evaluated and staff (and client, where relevant) told."""
        self.followed_up_at = timezone.now()

    @transition(status, source=[Status.COMMISSIONED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED],
                target=Status.CANCELLED, permission=COMMISSION,
                conditions=[Guard("cancel_reason", _("Ange varför analysen avbryts."), from_input=True)],
                custom={"label": _("Avbryt analysen")})
    def cancel(self) -> None:
        """The analysis will not be completed; the reason is kept."""


TRANSITION_NAMES = ("start", "submit_report", "decide_actions", "record_follow_up", "cancel")


class TeamMember(models.Model):
    analysis = models.ForeignKey(EventAnalysis, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="analysis_memberships")
    profession = models.CharField(_("yrke/roll"), max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deltagare i analysteamet")
        verbose_name_plural = _("analysteam")
        constraints = [models.UniqueConstraint(fields=["analysis", "user"], name="team_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.profession})" if self.profession else str(self.user)


class TimelineEntry(models.Model):
    analysis = models.ForeignKey(EventAnalysis, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("tidpunkt"))
    approximate = models.BooleanField(_("ungefärlig tidpunkt"), default=False)
    description = models.TextField(_("vad hände"), validators=[no_personal_number])
    source = models.CharField(_("källa"), max_length=200, blank=True, validators=[no_personal_number])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("händelse i tidslinjen")
        verbose_name_plural = _("tidslinje")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.description[:40]}"


class Cause(models.Model):
    """A link in a why-chain: `parent` is the effect this cause answers "varför?" for."""

    analysis = models.ForeignKey(EventAnalysis, on_delete=models.CASCADE, related_name="causes")
    parent = models.ForeignKey("self", verbose_name=_("orsak till"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    text = models.TextField(_("orsak"), validators=[no_personal_number])
    is_root = models.BooleanField(_("grundorsak"), default=False)
    cause_areas = models.ManyToManyField(CauseArea, verbose_name=_("orsaksområden"), blank=True)
    history = HistoricalRecords(m2m_fields=[cause_areas])

    class Meta:
        verbose_name = _("orsak")
        verbose_name_plural = _("orsaker")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text[:80]
