import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import DateInput
from riskmgmt.organisation.models import Membership

from .models import ControlPoint, Frequency

YEAR_CHOICES_BACK, YEAR_CHOICES_AHEAD = 15, 1


def people_of_units(units):
    """Active users with a role on, above or below any of `units` (who can be responsible)."""
    reach = Q(pk__in=[])
    for unit in units:
        reach |= Q(unit__path__startswith=unit.path) | Q(StartsWith(Value(unit.path), F("unit__path")))
    related = Membership.objects.filter(reach, user=OuterRef("pk"), is_active=True)
    return get_user_model().objects.filter(Exists(related), is_active=True).order_by("first_name", "last_name")


def _person_label(user) -> str:
    return f"{user.full_name} ({user.job_title})" if user.job_title else user.full_name


def year_choices(selected: int | None = None) -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    years = set(range(this_year - YEAR_CHOICES_BACK, this_year + YEAR_CHOICES_AHEAD + 1))
    if selected:
        years.add(selected)
    return [(y, y) for y in sorted(years, reverse=True)]


class ControlPointForm(forms.ModelForm):
    """A new point chooses its unit and year; an existing one keeps them (its checks belong there)."""

    class Meta:
        model = ControlPoint
        fields = ["unit", "year", "title", "description", "method", "frequency", "responsible", "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "method": forms.RadioSelect,
            "frequency": forms.RadioSelect,
        }
        labels = {"is_active": _("Ingår i årets plan")}
        help_texts = {
            "title": _("T.ex. ”Aktgranskning: förhandsbedömning inom 14 dagar”. Inga namn eller personnummer."),
            "description": _("Hur kontrollen görs: urval, vad som granskas och vad som räknas som brist."),
            "frequency": _("Ger antalet planerade kontroller under året: 12, 4 eller 1."),
            "is_active": "",
        }

    def __init__(self, *args, units, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            del self.fields["unit"]
            del self.fields["year"]
            people = people_of_units([self.instance.unit])
        else:
            self.fields["unit"].queryset = units
            self.fields["unit"].empty_label = _("Välj enhet")
            self.fields["year"] = forms.TypedChoiceField(label=_("År"), coerce=int, choices=year_choices(year),
                                                         initial=year or timezone.localdate().year)
            units = list(units)
            people = people_of_units(units)
            if len(units) == 1:
                self.fields["unit"].initial = units[0].pk
        self.fields["responsible"].queryset = people
        self.fields["responsible"].label_from_instance = _person_label
        self.fields["responsible"].empty_label = _("Välj ansvarig")
        self.fields["method"].choices = ControlPoint.Method.choices
        self.fields["frequency"].choices = Frequency.choices


class ControlCheckForm(forms.Form):
    period_start = forms.TypedChoiceField(label=_("Period"), coerce=datetime.date.fromisoformat)
    performed_on = forms.DateField(label=_("Genomförd datum"), widget=DateInput())
    performed_by = forms.ModelChoiceField(label=_("Genomförd av"), queryset=get_user_model().objects.none())
    sample_size = forms.IntegerField(
        label=_("Antal granskade"), required=False, min_value=0,
        help_text=_("T.ex. antal akter i stickprovet. Lämna tomt vid statistik utan urval."),
    )
    findings = forms.TypedChoiceField(
        label=_("Hittades brister?"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", _("Nej, allt var som det skulle")), ("yes", _("Ja, det fanns brister"))],
    )
    description = forms.CharField(
        label=_("Resultat"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vad kontrollen visade. Vid brister: vad saknades och hur ofta. "
                    "Inga namn, personnummer eller andra uppgifter om enskilda."),
    )

    def __init__(self, *args, point: ControlPoint, periods, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_start"].choices = [(p.start.isoformat(), p.label) for p in periods]
        self.fields["performed_by"].queryset = people_of_units([point.unit]) | get_user_model().objects.filter(
            pk=actor.pk)
        self.fields["performed_by"].label_from_instance = _person_label
        self.fields["performed_by"].initial = actor.pk
        self.fields["performed_by"].empty_label = None
        self.fields["performed_on"].initial = timezone.localdate()

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
