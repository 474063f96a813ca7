"""The yearly riskanalys per unit and its risk register, scored in a 4×4 matrix (DOMAIN.md A6, §4)."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from riskmgmt.core.fsm import Guard
from riskmgmt.core.models import TimeStampedModel
from riskmgmt.core.personnummer import no_personal_number

HOLD = "risks.hold_analysis"
APPROVE = "risks.approve_analysis"


class Level(models.TextChoices):
    LOW = "low", _("Låg")
    MEDIUM = "medium", _("Måttlig")
    HIGH = "high", _("Hög")
    VERY_HIGH = "very_high", _("Mycket hög")


LEVEL_ORDER = [Level.LOW, Level.MEDIUM, Level.HIGH, Level.VERY_HIGH]

PROBABILITY_LABELS = {
    1: _("Mycket liten – ungefär en gång om året eller mer sällan"),
    2: _("Liten – ungefär en gång i månaden"),
    3: _("Stor – ungefär en gång i veckan"),
    4: _("Mycket stor – ungefär dagligen"),
}
CONSEQUENCE_LABELS = {
    1: _("Mindre – obehag eller olägenhet, ingen skada"),
    2: _("Måttlig – tillfällig skada, försenad insats, en onödig extra insats"),
    3: _("Betydande – bestående skada, allvarligt kränkta rättigheter, fel tvångsåtgärd"),
    4: _("Katastrofal – dödsfall eller suicid, allvarlig bestående skada, ett barn lämnas utan skydd"),
}


class RiskMatrixSettings(models.Model):
    """The matrix's thresholds (DOMAIN.md A6 defaults); one row, edited in the admin."""

    medium_from = models.PositiveSmallIntegerField(_("måttlig från poäng"), default=4)
    high_from = models.PositiveSmallIntegerField(_("hög från poäng"), default=8)
    very_high_from = models.PositiveSmallIntegerField(_("mycket hög från poäng"), default=12)
    consequence_4_min_level = models.CharField(
        _("lägsta nivå vid konsekvens 4"), max_length=10, choices=Level.choices, default=Level.HIGH)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inställningar för riskmatrisen")
        verbose_name_plural = _("inställningar för riskmatrisen")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "RiskMatrixSettings":
        return cls.objects.order_by("pk").first() or cls()

    def level_for(self, probability: int, consequence: int) -> str:
        """The level of one cell: by score, and a consequence of 4 never below its floor."""
        score = probability * consequence
        if score >= self.very_high_from:
            level = Level.VERY_HIGH
        elif score >= self.high_from:
            level = Level.HIGH
        elif score >= self.medium_from:
            level = Level.MEDIUM
        else:
            level = Level.LOW
        if consequence == 4 and LEVEL_ORDER.index(level) < LEVEL_ORDER.index(self.consequence_4_min_level):
            level = Level(self.consequence_4_min_level)
        return str(level)


class RiskAnalysis(ConcurrentTransitionMixin, TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        HELD = "held", _("Genomförd")
        APPROVED = "approved", _("Godkänd")

    class Perspective(models.TextChoices):
        CLIENT = "client", _("Klient/brukare")
        STAFF = "staff", _("Personal")
        ORGANISATION = "organisation", _("Organisation")

    unit = models.ForeignKey("organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT,
                             related_name="risk_analyses")
    year = models.PositiveSmallIntegerField(_("år"))
    planned_on = models.DateField(_("planerad"), null=True, blank=True)
    held_on = models.DateField(_("genomförd"), null=True, blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("deltagare"), blank=True,
                                          related_name="risk_workshops")
    participants_text = models.TextField(_("övriga deltagare"), blank=True, validators=[no_personal_number])
    perspectives = models.JSONField(_("perspektiv"), default=list, blank=True)
    notes = models.TextField(_("anteckningar"), blank=True, validators=[no_personal_number])
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("godkänd av"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("godkänd"), null=True, blank=True)
    approval_comment = models.TextField(_("kommentar vid godkännande"), blank=True, validators=[no_personal_number])
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False)
    history = HistoricalRecords(m2m_fields=[participants])

    # Set by the service before `hold` (it needs a query).
    has_participants = False

    class Meta:
        verbose_name = _("riskanalys")
        verbose_name_plural = _("riskanalyser")
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="risk_analysis_once_per_unit_year")]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"{_('Riskanalys')} {self.year}, {self.unit}"

    @transition(status, source=Status.PLANNED, target=Status.HELD, permission=HOLD,
                conditions=[
                    Guard("held_on", _("Ange när riskanalysen hölls."), from_input=True),
                    Guard("participants", _("Ange vilka som deltog."), lambda a: a.has_participants, from_input=True),
                    Guard("perspectives", _("Ange vilka perspektiv som täcktes."), from_input=True),
                ],
                custom={"label": _("Markera som genomförd")})
    def hold(self) -> None:
        """The workshop has been held; the register is ready for the ledningsgrupp."""

    @transition(status, source=Status.HELD, target=Status.APPROVED, permission=APPROVE,
                custom={"label": _("Godkänn")})
    def approve(self) -> None:
        """The ledningsgrupp has reviewed and approved the analysis."""
        self.approved_on = timezone.localdate()


TRANSITION_NAMES = ("hold", "approve")


class Risk(TimeStampedModel):
    class RiskType(models.TextChoices):
        PROCESS = "process", _("Process eller rutin")
        PLACE = "place", _("Plats")
        SITUATION = "situation", _("Situation")

    class Status(models.TextChoices):
        OPEN = "open", _("Öppen")
        CLOSED = "closed", _("Stängd")

    analysis = models.ForeignKey(RiskAnalysis, verbose_name=_("riskanalys"), on_delete=models.PROTECT,
                                 related_name="risks")
    title = models.CharField(_("risk"), max_length=200, validators=[no_personal_number])
    description = models.TextField(_("beskrivning"), blank=True, validators=[no_personal_number])
    process = models.ForeignKey("organisation.Process", verbose_name=_("process"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="risks")
    risk_type = models.CharField(_("typ"), max_length=20, choices=RiskType.choices)
    perspective = models.CharField(_("perspektiv"), max_length=20, choices=RiskAnalysis.Perspective.choices)
    probability = models.PositiveSmallIntegerField(_("sannolikhet"))
    consequence = models.PositiveSmallIntegerField(_("konsekvens"))
    score = models.GeneratedField(expression=F("probability") * F("consequence"),
                                  output_field=models.PositiveSmallIntegerField(), db_persist=True)
    residual_probability = models.PositiveSmallIntegerField(_("sannolikhet efter åtgärder"), null=True, blank=True)
    residual_consequence = models.PositiveSmallIntegerField(_("konsekvens efter åtgärder"), null=True, blank=True)
    escalated = models.BooleanField(_("lyft till sektionen"), default=False)
    escalation_reason = models.TextField(_("skäl till att risken lyfts"), blank=True,
                                         validators=[no_personal_number])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source_content_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    predecessor = models.ForeignKey("self", verbose_name=_("förra årets risk"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="successors")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risker")
        ordering = ["-score", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__range=(1, 4)), name="risk_probability_1_4"),
            models.CheckConstraint(condition=models.Q(consequence__range=(1, 4)), name="risk_consequence_1_4"),
            models.UniqueConstraint(fields=["source_content_type", "source_id", "analysis"],
                                    name="risk_raised_once_per_source_and_analysis"),
        ]
        indexes = [models.Index(fields=["analysis", "status"]), models.Index(fields=["process", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def level(self) -> str:
        """One risk's level (a settings read); lists use selectors.risks_with_level instead."""
        annotated = getattr(self, "risk_level", None)
        return annotated or RiskMatrixSettings.current().level_for(self.probability, self.consequence)
