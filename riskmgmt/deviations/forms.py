"""Forms for handling deviations: the inbox filter, one form per transition, the IVO track
and attachments. Forms only parse input; the services decide what is allowed, so a field the
service requires (a date, a reason) is optional here and a refusal names what is missing."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import DateInput, NeededCharField, NeededChoiceField, NeededDateField
from riskmgmt.organisation.models import Membership, Process, Unit

from .models import Deviation

Kind = Deviation.Kind
Classification = Deviation.Classification
Role = Membership.Role

# DOMAIN.md §1.3, in the words a manager uses when taking a position.
CLASSIFICATION_HELP = {
    Classification.NONE: _("Det som hänt är varken ett missförhållande eller en påtaglig risk för "
                           "ett; risken är avlägsen eller vag."),
    Classification.RISK: _("En risk för missförhållande som är uppenbar och konkret, inte avlägsen "
                           "eller vag."),
    Classification.MISSFORHALLANDE: _("Något som gjorts, eller inte gjorts, hotar eller har skadat "
                                      "den enskildes liv, säkerhet eller fysiska eller psykiska hälsa."),
    Classification.SERIOUS_RISK: _("En uppenbar och konkret risk för ett allvarligt missförhållande. "
                                   "Ska anmälas till IVO snarast."),
    Classification.SERIOUS: _("Hotet mot eller följden för den enskildes liv, säkerhet eller hälsa är "
                              "allvarlig. Ska anmälas till IVO snarast."),
}


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


class StepForm(forms.Form):
    use_required_attribute = False


class ClassificationSelect(forms.RadioSelect):
    """Radio buttons with a short explanation under each label."""

    template_name = "deviations/_detail_classification_select.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                option["help"] = CLASSIFICATION_HELP.get(option["value"], "")
        return context


# ---------------------------------------------------------------- the inbox

class InboxFilterForm(forms.Form):
    """GET filters of "Att hantera". Invalid values are reported and otherwise ignored."""

    STATUS_CHOICES = [("open", _("Öppna")), *Deviation.Status.choices, ("all", _("Alla"))]

    q = forms.CharField(label=_("Sök"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Typ"), choices=[("", _("Alla typer")), *Kind.choices], required=False)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("Alla mina enheter"))
    process = forms.ModelChoiceField(label=_("Process"), queryset=Process.objects.none(), required=False,
                                     empty_label=_("Alla processer"))
    year = forms.TypedChoiceField(label=_("År"), coerce=int, required=False, empty_value=None)
    overdue = forms.BooleanField(label=_("Bara försenade"), required=False)

    def __init__(self, data, *, units, years):
        super().__init__(data)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["unit"].label_from_instance = lambda u: "\u2003" * max(u.depth, 0) + u.name
        self.fields["process"].queryset = (
            Process.objects.filter(unit__in=units, is_active=True).select_related("unit")
            .order_by("unit__path", "name")
        )
        self.fields["process"].label_from_instance = lambda p: f"{p.name} ({p.unit.name})"
        self.fields["year"].choices = [("", _("Alla år")), *[(y, str(y)) for y in years]]

    def filters(self) -> dict:
        """The valid filters; an invalid one counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        return {
            "kind": data.get("kind") or None,
            "status": None if status == "all" else status,
            "unit": data.get("unit"),
            "process": data.get("process"),
            "year": data.get("year"),
            "overdue": bool(data.get("overdue")),
            "q": data.get("q") or None,
        }


# ---------------------------------------------------------------- transitions

def investigator_choices(unit: Unit):
    """Who may investigate: the people the service accepts (staff, managers, quality on the unit
    or above it)."""
    held = Membership.objects.filter(
        user=OuterRef("pk"), is_active=True,
        role__in=[*Membership.MANAGER_ROLES, Role.STAFF, Role.QUALITY],
        unit__code__in=[*unit.ancestor_codes(), unit.code],
    )
    return get_user_model().objects.filter(Exists(held), is_active=True).order_by("first_name", "last_name")


class ReceiveForm(StepForm):
    immediate_actions = forms.CharField(
        label=_("Dina omedelbara åtgärder"), required=False, widget=_textarea(4),
        help_text=_("Vad har du gjort för att skydda den enskilde och hindra att det händer igen just nu? "
                    "Det läggs till under rapportörens text, som finns kvar. Inga namn eller personnummer."),
    )
    kind = forms.ChoiceField(
        label=_("Typ av rapport"), choices=Kind.choices,
        help_text=_("Ändra om rapporten är av ett annat slag än rapportören angav. Ändringen loggas."),
    )

    def __init__(self, *args, deviation: Deviation, **kwargs):
        kwargs.setdefault("initial", {"kind": deviation.kind})
        super().__init__(*args, **kwargs)


class StartInvestigationForm(StepForm):
    investigator = forms.ModelChoiceField(
        label=_("Utredare"), queryset=get_user_model().objects.none(), required=False,
        empty_label=_("Jag utreder själv"),
        help_text=_("Den du utser får en notis."),
    )

    def __init__(self, *args, deviation: Deviation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = investigator_choices(deviation.unit)
        self.fields["investigator"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.job_title})" if u.job_title else u.full_name
        )


class LexSarahInvestigationForm(StepForm):
    what_happened = NeededCharField(label=_("Vad som hänt"), widget=_textarea(5),
                                    help_text=_("Vad, när och var, enligt utredningen."))
    consequences = NeededCharField(label=_("Konsekvenser för den enskilde"), widget=_textarea(3),
                                   help_text=_("Faktiska eller möjliga."))
    causes = NeededCharField(label=_("Orsaker"), widget=_textarea(4),
                             help_text=_("Varför hände det? Brister i rutiner, bemanning, kommunikation …"))
    classification = NeededChoiceField(label=_("Bedömning"), widget=ClassificationSelect,
                                       choices=Classification.choices)
    decided_by = forms.CharField(label=_("Beslutsfattare"), required=False, max_length=200,
                                 help_text=_("Den som tar ställning enligt delegationsordningen."))
    delegation_ref = forms.CharField(label=_("Delegationspunkt"), required=False, max_length=100)


class ComplaintInvestigationForm(StepForm):
    answer = NeededCharField(label=_("Svar till den som lämnat synpunkten"), widget=_textarea(5),
                             help_text=_("Behövs inte om synpunkten är anonym."))
    answered_on = NeededDateField(label=_("Besvarad"), widget=DateInput(), validators=[_not_in_future])
    anonymous = forms.BooleanField(label=_("Synpunkten är anonym och kan inte besvaras"), required=False)


class OtherInvestigationForm(StepForm):
    conclusion = NeededCharField(label=_("Slutsats"), widget=_textarea(5),
                                 help_text=_("Vad hände, varför, och vad behöver göras?"))


INVESTIGATION_FORMS = {
    Kind.LEX_SARAH: LexSarahInvestigationForm,
    Kind.COMPLAINT: ComplaintInvestigationForm,
    Kind.OTHER: OtherInvestigationForm,
}


def investigation_form(deviation: Deviation, data=None, **kwargs) -> forms.Form:
    """The kind's investigation fields, filled with the saved draft. Used by both "Spara utkast"
    and "Avsluta utredningen" (one form, two buttons)."""
    form_class = INVESTIGATION_FORMS[deviation.kind]
    initial = {name: getattr(deviation, name) for name in form_class.base_fields}
    return form_class(data, initial=initial, **kwargs)


class CloseForm(StepForm):
    feedback = forms.CharField(
        label=_("Återkoppling till rapportören"), required=False, widget=_textarea(4),
        help_text=_("Rapportören ser texten under Mina rapporter."),
    )
    feedback_given_on = NeededDateField(label=_("Återkoppling given"), widget=DateInput(),
                                        validators=[_not_in_future])
    no_action_reason = forms.CharField(
        label=_("Skäl till att inga åtgärder behövs"), required=False, widget=_textarea(2),
        help_text=_("Bara om inga åtgärder är beslutade i åtgärdspanelen."),
    )
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=_textarea(2))

    def __init__(self, *args, deviation: Deviation, **kwargs):
        kwargs.setdefault("initial", {"feedback": deviation.feedback, "feedback_given_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WithdrawForm(StepForm):
    reason = NeededCharField(label=_("Varför återkallas rapporten?"), widget=_textarea(2),
                             help_text=_("Till exempel en dubblett eller rapporterad av misstag. Inget raderas."))


class ForwardForm(StepForm):
    forwarded_to = NeededCharField(label=_("Överlämnas till"), max_length=200,
                                   help_text=_("Myndighet eller verksamhet, t.ex. regionens BUP."))
    complainant_notified_on = NeededDateField(label=_("Den som klagat underrättades"), widget=DateInput(),
                                              validators=[_not_in_future])


def transition_form(name: str, deviation: Deviation, data=None) -> forms.Form:
    """The form of transition `name`, prefixed so several forms can share one page."""
    if name == "conclude":
        return investigation_form(deviation, data, prefix="conclude")
    form_class = {
        "receive": ReceiveForm, "start_investigation": StartInvestigationForm, "close": CloseForm,
        "withdraw": WithdrawForm, "forward": ForwardForm,
    }[name]
    if form_class in (ReceiveForm, StartInvestigationForm, CloseForm):
        return form_class(data, prefix=name, deviation=deviation)
    return form_class(data, prefix=name)


# ---------------------------------------------------------------- IVO track

class IvoCreateForm(StepForm):
    sent_on = forms.DateField(label=_("Anmäld till IVO"), widget=DateInput(), initial=timezone.localdate,
                              validators=[_not_in_future],
                              help_text=_("Datumet då anmälan skickades i IVO:s e-tjänst."))
    ivo_reference = forms.CharField(label=_("IVO:s diarienummer"), required=False, max_length=60,
                                    help_text=_("Kan fyllas i senare om det inte finns än."))
    investigation_attached = forms.BooleanField(label=_("Utredningen bifogades anmälan"), required=False)


class IvoSendInvestigationForm(StepForm):
    sent_on = NeededDateField(label=_("Utredningen skickad"), widget=DateInput(),
                              initial=timezone.localdate, validators=[_not_in_future])


class IvoRecordClosedForm(StepForm):
    decided_on = NeededDateField(label=_("Datum för IVO:s beslut"), widget=DateInput(),
                                 validators=[_not_in_future])


IVO_FORMS = {"send_investigation": IvoSendInvestigationForm, "record_closed": IvoRecordClosedForm}


def ivo_transition_form(name: str, data=None) -> forms.Form:
    return IVO_FORMS[name](data, prefix=f"ivo-{name}")


# ---------------------------------------------------------------- attachments

class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"), error_messages={"required": _("Välj en fil att ladda upp.")},
        help_text=_("pdf, jpg, png, docx eller xlsx, högst 10 MB. Tänk på att filen inte ska innehålla "
                    "mer personuppgifter än nödvändigt."),
    )
