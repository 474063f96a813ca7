from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from simple_history.models import HistoricalRecords

from riskmgmt.core.fsm import Guard
from riskmgmt.core.models import TimeStampedModel
from riskmgmt.core.personnummer import no_personal_number

ACT_PERMISSION = "actions.act_on_action"


def _done_on_valid(action: "Action") -> bool:
    return action.done_on is not None and action.done_on <= timezone.localdate()


class Action(ConcurrentTransitionMixin, TimeStampedModel):
    """An åtgärd in an action plan: someone must do something by a date, and its effect is followed up."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        IN_PROGRESS = "in_progress", _("Pågår")
        DONE = "done", _("Genomförd")
        EVALUATED = "evaluated", _("Utvärderad")
        CANCELLED = "cancelled", _("Avbruten")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    class Strength(models.TextChoices):
        STRONG = "strong", _("Stark")
        MEDIUM = "medium", _("Medelstark")
        WEAK = "weak", _("Svag")

    class Effect(models.TextChoices):
        EFFECTIVE = "effective", _("Effektiv")
        PARTLY = "partly", _("Delvis effektiv")
        NONE = "none", _("Ingen effekt")

    STRENGTH_HELP = {
        Strength.STRONG: _(
            "Gör felet omöjligt eller mycket svårt: ett obligatoriskt fält i verksamhetssystemet, "
            "en spärr mot att avsluta en förhandsbedömning utan skyddsbedömning, förenkling, standardisering."
        ),
        Strength.MEDIUM: _(
            "Minskar risken tydligt: checklistor, beslutsstöd, färre överlämningar, "
            "lägre ärendebelastning, dubbelbemanning."
        ),
        Strength.WEAK: _(
            "Bygger på att människor minns och gör rätt: utbildning, ny eller förtydligad rutin, "
            "information, påminnelser."
        ),
    }

    source_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_content_type", "source_id")
    # The source's unit, kept here so scoping and escalation are one indexed query.
    unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField(_("åtgärd"), max_length=200, validators=[no_personal_number])
    description = models.TextField(_("beskrivning"), blank=True, validators=[no_personal_number])
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig"),
        on_delete=models.PROTECT,
        related_name="actions_responsible",
    )
    due_date = models.DateField(_("klart senast"))
    strength = models.CharField(_("styrka"), max_length=10, choices=Strength.choices)
    effect_measure = models.TextField(
        _("hur effekten ska mätas"), blank=True, validators=[no_personal_number]
    )
    # What the action addresses: a root cause of an event analysis, or a risk.
    addresses_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    addresses_id = models.PositiveBigIntegerField(null=True, blank=True)
    addresses = GenericForeignKey("addresses_content_type", "addresses_id")
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("föregående åtgärd"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    status = FSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    done_on = models.DateField(_("genomförd datum"), null=True, blank=True)
    completion_comment = models.TextField(
        _("kommentar om genomförandet"), blank=True, validators=[no_personal_number]
    )
    effect = models.CharField(_("effekt"), max_length=10, choices=Effect.choices, blank=True)
    evaluation_comment = models.TextField(
        _("utvärdering"), blank=True, validators=[no_personal_number]
    )
    evaluated_on = models.DateField(_("utvärderad datum"), null=True, blank=True)
    cancel_reason = models.TextField(_("skäl till avbrott"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skapad av"),
        on_delete=models.PROTECT,
        related_name="actions_created",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["responsible", "status", "due_date"]),
            models.Index(fields=["unit", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["source_content_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"ÅTG-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("actions:detail", args=[self.pk])

    # Transitions set fields only; services validate input, save and log.

    @transition(
        status, source=Status.PLANNED, target=Status.IN_PROGRESS,
        permission=ACT_PERMISSION, custom={"label": _("Påbörja")},
    )
    def start(self) -> None:
        """Work on the action has begun."""

    @transition(
        status, source=[Status.PLANNED, Status.IN_PROGRESS], target=Status.DONE,
        conditions=[
            Guard("done_on", _("Ange när åtgärden genomfördes (datumet kan inte ligga i framtiden)."),
                  _done_on_valid, from_input=True)
        ],
        permission=ACT_PERMISSION, custom={"label": _("Markera som genomförd")},
    )
    def complete(self) -> None:
        """The action is carried out; its effect is still to be evaluated."""

    @transition(
        status, source=Status.DONE, target=Status.EVALUATED,
        conditions=[
            Guard("effect", _("Ange vilken effekt åtgärden fick."), from_input=True),
            Guard("evaluation_comment", _("Beskriv hur effekten bedömdes."), from_input=True),
        ],
        permission=ACT_PERMISSION, custom={"label": _("Utvärdera effekt")},
    )
    def evaluate(self) -> None:
        """The effect is assessed; 'none' or 'partly' prompts a follow-up action."""
        self.evaluated_on = timezone.localdate()

    @transition(
        status, source=[Status.PLANNED, Status.IN_PROGRESS], target=Status.CANCELLED,
        conditions=[Guard("cancel_reason", _("Ange varför åtgärden avbryts."), from_input=True)],
        permission=ACT_PERMISSION, custom={"label": _("Avbryt åtgärd")},
    )
    def cancel(self) -> None:
        """The action will not be carried out; the reason is kept."""

    @property
    def needs_follow_up(self) -> bool:
        return self.status == self.Status.EVALUATED and self.effect in (
            self.Effect.NONE, self.Effect.PARTLY
        ) and not self.follow_ups.exists()


TRANSITION_NAMES = ("start", "complete", "evaluate", "cancel")
