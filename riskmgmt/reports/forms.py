"""Forms of the kvalitetsberättelse: choosing unit and year, and writing a section's text."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.organisation.models import Unit

from .facts import FIRST_YEAR, last_year_allowed, report_units_for_user

TEXT_MAX = 50_000


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        # Indented by depth so the tree shows in a plain <select>.
        return "\u00a0\u00a0\u00a0" * unit.depth + f"{unit.name} ({unit.get_kind_display().lower()})"


class QualityChooseForm(forms.Form):
    unit = UnitChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=None,
                           help_text=_("Berättelsen omfattar enheten och alla enheter under den."))
    year = forms.IntegerField(label=_("År"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = report_units_for_user(user)
        # Built per request: the last year allowed moves on with the calendar.
        last = last_year_allowed()
        self.fields["year"] = forms.IntegerField(
            label=_("År"), min_value=FIRST_YEAR, max_value=last,
            help_text=_("Kvalitetsberättelsen beskriver oftast föregående kalenderår."),
            widget=forms.NumberInput(attrs={"min": FIRST_YEAR, "max": last, "class": "input--year"}))
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year - 1)


class NarrativeForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, max_length=TEXT_MAX, strip=True,
                           validators=[no_personal_number],
                           help_text=_("Skriv inga personnummer eller namn på klienter."),
                           widget=forms.Textarea(attrs={"rows": 10, "autofocus": True}))
    # The version the writer started from: a save on an older one is refused (see narrative_save).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
