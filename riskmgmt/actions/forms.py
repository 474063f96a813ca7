from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import DateInput
from riskmgmt.organisation.models import Membership

from .models import Action


def people_of_unit(unit):
    """Active users with a role on the unit, above it or below it (who can be responsible)."""
    related = Membership.objects.filter(user=OuterRef("pk"), is_active=True).filter(
        Q(unit__path__startswith=unit.path) | Q(StartsWith(Value(unit.path), F("unit__path")))
    )
    return get_user_model().objects.filter(Exists(related), is_active=True).order_by(
        "first_name", "last_name"
    )


class StrengthSelect(forms.RadioSelect):
    template_name = "actions/_strength_select.html"


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "description", "responsible", "due_date", "strength", "effect_measure"]
        widgets = {
            "due_date": DateInput(),
            "strength": StrengthSelect(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "effect_measure": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "title": _("Kort och konkret, utan namn eller personnummer."),
            "effect_measure": _("T.ex. ”andel förhandsbedömningar klara inom 14 dagar, stickprov i juni”."),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people_of_unit(unit)
        self.fields["responsible"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.job_title})" if u.job_title else u.full_name
        )
        self.fields["strength"].choices = Action.Strength.choices
        self.fields["strength"].help_map = Action.STRENGTH_HELP


class CompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Genomförd datum"), widget=DateInput(), initial=timezone.localdate)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return done_on


class EvaluateForm(forms.Form):
    effect = forms.ChoiceField(label=_("Effekt"), choices=Action.Effect.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Hur bedömdes effekten?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Skäl till att åtgärden avbryts"), widget=forms.Textarea(attrs={"rows": 2}))


class StartForm(forms.Form):
    comment = forms.CharField(label=_("Kommentar"), required=False)


TRANSITION_FORMS = {
    "start": StartForm,
    "complete": CompleteForm,
    "evaluate": EvaluateForm,
    "cancel": CancelForm,
}
