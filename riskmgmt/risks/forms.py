"""Forms of the risk workshop: planning an analysis, the quick add-risk form, editing a risk, and
the hold and approve steps. They parse and check input; the services decide and save."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import (
    DateInput,
    NeededCharField,
    NeededDateField,
    NeededMultipleChoiceField,
)
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope

from .models import CONSEQUENCE_LABELS, PROBABILITY_LABELS, Risk, RiskAnalysis

MAX_ID = 2**63 - 1  # a bigger id overflows the database's integer in a `pk__in` query (a 500)
FREE_TEXT = [no_personal_number]  # DOMAIN.md A9; the services check again


def person_label(user) -> str:
    return f"{user.full_name} ({user.job_title})" if user.job_title else user.full_name


def units_to_plan_for(user):
    """Enheter the user manages (an enhetschef's own, a sektionschef's all below): where they plan."""
    return units_in_scope(user, Membership.MANAGER_ROLES).filter(kind=Unit.Kind.UNIT, is_active=True).order_by("path")


def workshop_people(unit: Unit):
    """Who can take part in the unit's workshop: everyone on the unit (or below it) and the
    managers above it; not the whole förvaltning that a ledningsgrupp role covers."""
    related = Membership.objects.filter(user=OuterRef("pk"), is_active=True).filter(
        Q(unit__path__startswith=unit.path)
        | Q(StartsWith(Value(unit.path), F("unit__path")), role__in=Membership.MANAGER_ROLES)
    )
    return get_user_model().objects.filter(Exists(related), is_active=True).order_by("first_name", "last_name")


class ScoreSelect(forms.RadioSelect):
    """1–4 as radios, each with its name and anchor ("Stor" – "ungefär en gång i veckan")."""

    template_name = "risks/_score_select.html"

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        head, _sep, tail = str(label).partition(" – ")
        option.update(number=value, head=head, tail=tail)
        return option


def score_field(label, labels: dict, help_text: str, required_message) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=list(labels.items()), coerce=int, widget=ScoreSelect,
                                  help_text=help_text, error_messages={
                                      "required": required_message,
                                      "invalid_choice": _("Välj ett av alternativen 1–4.")})


def residual_field(label, labels: dict) -> forms.TypedChoiceField:
    """1–4 by name only ("3 Stor"): the anchors are spelled out in the radios above it."""
    choices = [("", _("Inte bedömd än")), *((n, f"{n} {str(text).partition(' – ')[0]}") for n, text in labels.items())]
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, empty_value=None, required=False)


PROBABILITY_HELP = _("Hur ofta kan det hända?")
CONSEQUENCE_HELP = _("Hur allvarligt blir det för den det drabbar, om det händer?")


class AnalysisCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=_("Välj enhet"))
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    planned_on = forms.DateField(label=_("Datum för riskanalysen"), widget=DateInput(), required=False,
                                 help_text=_("När ni ska träffas och gå igenom riskerna. Kan ändras senare."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_to_plan_for(user)
        self.fields["year"].initial = timezone.localdate().year


class RiskForm(forms.Form):
    """The quick add form at the top of the workshop (and the basis of the edit form)."""

    title = forms.CharField(label=_("Risk"), max_length=200, validators=FREE_TEXT,
                            help_text=_("Vad kan gå fel? Kort, utan namn eller personnummer."),
                            error_messages={"required": _("Skriv vad som kan gå fel.")})
    risk_type = forms.ChoiceField(label=_("Typ av risk"), choices=Risk.RiskType.choices)
    perspective = forms.ChoiceField(label=_("Perspektiv"), choices=RiskAnalysis.Perspective.choices)
    process = forms.ModelChoiceField(label=_("Process"), queryset=None, required=False,
                                     empty_label=_("Ingen särskild process"))
    probability = score_field(_("Sannolikhet"), PROBABILITY_LABELS, PROBABILITY_HELP,
                              _("Välj hur troligt det är, 1–4."))
    consequence = score_field(_("Konsekvens"), CONSEQUENCE_LABELS, CONSEQUENCE_HELP,
                              _("Välj hur allvarligt det blir, 1–4."))
    description = forms.CharField(label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  validators=FREE_TEXT,
                                  help_text=_("Varför kan det hända, och vad finns redan som skydd?"))

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = unit.processes.filter(is_active=True).order_by("name")


class RiskEditForm(RiskForm):
    residual_probability = residual_field(_("Sannolikhet efter åtgärder"), PROBABILITY_LABELS)
    residual_consequence = residual_field(_("Konsekvens efter åtgärder"), CONSEQUENCE_LABELS)
    escalated = forms.BooleanField(label=_("Lyft risken till sektionen"), required=False,
                                   help_text=_("När enheten inte själv kan minska risken tillräckligt."))
    escalation_reason = NeededCharField(label=_("Varför lyfts risken?"), widget=forms.Textarea(attrs={"rows": 3}),
                                        validators=FREE_TEXT, help_text=_("Behövs när risken lyfts till sektionen."))

    # Type and perspective are set when the risk is found; the service does not change them.
    field_order = ["title", "description", "process", "probability", "consequence", "residual_probability",
                   "residual_consequence", "escalated", "escalation_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["risk_type"], self.fields["perspective"]

    @classmethod
    def for_risk(cls, risk: Risk, data=None) -> RiskEditForm:
        initial = {name: getattr(risk, name) for name in
                   ("title", "description", "probability", "consequence", "residual_probability",
                    "residual_consequence", "escalated", "escalation_reason")}
        initial["process"] = risk.process_id
        form = cls(data, unit=risk.analysis.unit, initial=initial)
        if risk.process_id:
            # A process closed since keeps its risks: offered here, or saving would drop it unasked.
            form.fields["process"].queryset = risk.analysis.unit.processes.filter(
                Q(is_active=True) | Q(pk=risk.process_id)).order_by("name")
        return form


class NeededPeopleField(forms.ModelMultipleChoiceField):
    """Shown as needed (no "(frivilligt)"), yet empty passes: the names may be typed instead, and
    the service's guard says what is missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=True, **kwargs)

    def clean(self, value):
        if not value:
            return self.queryset.none()
        for pk in value if isinstance(value, (list, tuple)) else ():
            if _beyond_ids(pk):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super().clean(value)


def _beyond_ids(value) -> bool:
    try:
        return abs(int(value)) > MAX_ID
    except (TypeError, ValueError):
        return False


class HoldForm(forms.Form):
    held_on = NeededDateField(label=_("Datum då riskanalysen hölls"), widget=DateInput())
    participants = NeededPeopleField(label=_("Deltagare"), queryset=None, widget=forms.CheckboxSelectMultiple,
                                     help_text=_("Kryssa i dem som var med, eller skriv dem i rutan nedan."))
    participants_text = forms.CharField(label=_("Övriga deltagare"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}), validators=FREE_TEXT,
                                        help_text=_("Till exempel yrkesroller eller deltagare från andra enheter."))
    perspectives = NeededMultipleChoiceField(label=_("Perspektiv som togs upp"),
                                             choices=RiskAnalysis.Perspective.choices,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = workshop_people(unit)
        self.fields["participants"].label_from_instance = person_label
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Kommentar från ledningsgruppen"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}), validators=FREE_TEXT,
                              help_text=_("Till exempel vilka risker ledningsgruppen följer särskilt."))


TRANSITION_FORMS = {"hold": HoldForm, "approve": ApproveForm}
