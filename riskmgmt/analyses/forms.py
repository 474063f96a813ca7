"""Forms of the händelseanalys workspace: the commission, the timeline, the why-chains, the report
texts and the transitions. They parse and check input; the services decide and save."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.lookups import StartsWith
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import (
    DateInput,
    DateTimeInput,
    NeededCharField,
    NeededDateField,
    NeededMultipleChoiceField,
)
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.deviations.selectors import deviation_list_for_user
from riskmgmt.notifications.deadlines import due_date_for
from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope, user_roles

from .rules import can_commission_for_unit

COMMISSION_ROLES = (Membership.Role.SECTION_MANAGER, Membership.Role.MANAGEMENT)
TEAM_ROWS = 5  # SKL: a team of 3–5 who were not involved in the event
MAX_TEAM_ROWS = 12
DEVIATION_CHOICES = 50  # the newest in the unit; older ones are linked from the deviation's page

PROBABILITY_CHOICES = [
    ("", _("Ej bedömd")),
    (1, _("1 – Mycket liten (ungefär en gång om året eller mer sällan)")),
    (2, _("2 – Liten (ungefär varje månad)")),
    (3, _("3 – Stor (ungefär varje vecka)")),
    (4, _("4 – Mycket stor (ungefär dagligen)")),
]
CONSEQUENCE_CHOICES = [
    ("", _("Ej bedömd")),
    (1, _("1 – Mindre (obehag, ingen skada)")),
    (2, _("2 – Måttlig (tillfällig skada, försenad insats)")),
    (3, _("3 – Betydande (bestående skada, allvarligt kränkta rättigheter)")),
    (4, _("4 – Katastrofal (dödsfall, allvarlig bestående skada, ett barn utan skydd)")),
]


def person_label(user) -> str:
    return f"{user.full_name} ({user.job_title})" if user.job_title else user.full_name


def _near(paths: list[str]) -> Q:
    """Memberships on, under or above any of the units at `paths`."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(unit__path__startswith=path) | Q(StartsWith(Value(path), F("unit__path")))
    return condition


def people_near(paths: list[str], roles=None):
    """Active users with an active role on, under or above the units at `paths`."""
    memberships = Membership.objects.filter(user=OuterRef("pk"), is_active=True).filter(_near(paths))
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return get_user_model().objects.filter(Exists(memberships), is_active=True).order_by(
        "first_name", "last_name", "pk"
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        # Indent by depth so the tree reads in the select: Familjesektionen, – Mottagningsenheten.
        return "\u2013 " * max(obj.depth - self.top_depth, 0) + obj.name


class DeviationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title} ({obj.get_kind_display()}, {obj.unit.name}, " \
               f"{timezone.localtime(obj.reported_at):%Y-%m-%d})"


class AnalysisCreateForm(forms.Form):
    """Beställ händelseanalys. Team rows are plain fields (team_user_N, team_profession_N), so
    every error links to its own input and the form works without JavaScript."""

    title = forms.CharField(
        label=_("Rubrik"), max_length=200, validators=[no_personal_number],
        help_text=_("Vad analysen gäller, utan namn eller personnummer. "
                    "T.ex. ”Skyddsbedömning som dröjde över helgen”."),
    )
    unit = UnitChoiceField(label=_("Enhet"), queryset=None, empty_label=_("– Välj enhet –"),
                           help_text=_("Den enhet där händelsen inträffade."))
    deviations = DeviationChoiceField(
        label=_("Avvikelser som analysen gäller"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.CharField(
        label=_("Uppdrag och avgränsning"), validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vilken fråga ska analysen besvara, och vad ingår inte? "
                    "Analysen söker orsaker i verksamheten, aldrig en skyldig person."),
    )
    commissioner = PersonChoiceField(label=_("Uppdragsgivare"), queryset=None, empty_label=_("– Välj –"),
                                     help_text=_("Tar emot rapporten och beslutar om åtgärderna."))
    lead = PersonChoiceField(label=_("Analysledare"), queryset=None, empty_label=_("– Välj –"),
                             help_text=_("Leder arbetet och lämnar rapporten. Bör inte ha varit inblandad i händelsen."))
    due_date = forms.DateField(
        label=_("Rapporten klar senast"), required=False, widget=DateInput(),
        help_text=_("Normalt åtta veckor från beställningen, och före en frist hos IVO."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = units_in_scope(user, COMMISSION_ROLES).filter(is_active=True).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].top_depth = min((u.depth for u in units), default=0)
        paths = [held.unit_path for held in user_roles(user) if held.role in COMMISSION_ROLES]
        self.fields["commissioner"].queryset = people_near(paths, COMMISSION_ROLES)
        people = people_near(paths)
        self.fields["lead"].queryset = people
        self.fields["deviations"].queryset = deviation_list_for_user(user).filter(unit__in=units)
        # With htmx, choosing a unit refreshes the deviations offered (without, all units' are).
        self.fields["unit"].widget.attrs.update({
            "hx-get": reverse("analyses:create"), "hx-trigger": "change", "hx-target": "#deviation-choices",
            "hx-swap": "outerHTML", "hx-include": "[name='deviations']",
        })
        self.fields["due_date"].initial = due_date_for("event_analysis_report", timezone.localdate())
        self.rows = self._row_count()
        for i in range(1, self.rows + 1):
            self.fields[f"team_user_{i}"] = PersonChoiceField(
                label=_("Deltagare %(n)s") % {"n": i}, queryset=people, required=False,
                empty_label=_("– ingen –"),
            )
            self.fields[f"team_profession_{i}"] = forms.CharField(
                label=_("Yrke eller roll i teamet (deltagare %(n)s)") % {"n": i}, max_length=120,
                required=False, validators=[no_personal_number],
            )
        self._limit_deviation_choices()

    def _row_count(self) -> int:
        raw = self.data.get("team_rows") if self.is_bound else self.initial.get("team_rows")
        try:
            rows = int(raw)
        except (TypeError, ValueError):
            rows = TEAM_ROWS
        if self.is_bound and "add_row" in self.data:
            rows += 1
        return max(TEAM_ROWS, min(rows, MAX_TEAM_ROWS))

    def selected_unit(self):
        raw = self.data.get("unit") if self.is_bound else self.initial.get("unit")
        raw = getattr(raw, "pk", raw)
        if not raw or not str(raw).isdigit():
            return None
        return self.fields["unit"].queryset.filter(pk=raw).first()

    def _limit_deviation_choices(self) -> None:
        """Offer the newest deviations of the chosen unit (of all the user's units before one is
        chosen), plus any already ticked; the field still accepts any deviation in scope."""
        field = self.fields["deviations"]
        qs = field.queryset
        unit = self.selected_unit()
        if unit is not None:
            qs = qs.filter(unit__path__startswith=unit.path)
        raw = self.data.getlist("deviations") if self.is_bound else self.initial.get("deviations", [])
        chosen = [getattr(v, "pk", v) for v in raw]
        chosen = [int(v) for v in chosen if str(v).isdigit()]
        newest = list(qs.order_by("-reported_at", "-pk")[:DEVIATION_CHOICES])
        # A POST keeps every ticked box visible (an error may be about one); a unit change drops
        # those of other units.
        extra = [d for d in (field.queryset if self.is_bound else qs).filter(pk__in=chosen) if d not in newest]
        self.deviation_choices_limited = qs.count() > DEVIATION_CHOICES
        field.widget.choices = [(d.pk, field.label_from_instance(d)) for d in [*extra, *newest]]
        self.deviation_unit = unit

    def keep_typing(self) -> None:
        """Show what was typed without checking it (the user only asked for another team row)."""
        self._errors = ErrorDict()

    def team_fields(self) -> list[tuple]:
        return [(self[f"team_user_{i}"], self[f"team_profession_{i}"]) for i in range(1, self.rows + 1)]

    def main_fields(self):
        return [self[name] for name in ("title", "unit", "deviations", "scope", "commissioner", "lead", "due_date")]

    def clean(self):
        data = super().clean()
        unit, commissioner, lead = data.get("unit"), data.get("commissioner"), data.get("lead")
        if unit is not None and commissioner is not None and not can_commission_for_unit(commissioner, unit):
            self.add_error("commissioner", _("Uppdragsgivaren ska vara sektionschef eller ledningsgrupp för enheten."))
        seen = set()
        for i in range(1, self.rows + 1):
            person, profession = data.get(f"team_user_{i}"), data.get(f"team_profession_{i}")
            if person is None:
                if profession:
                    self.add_error(f"team_user_{i}", _("Välj en person, eller töm fältet för yrke eller roll."))
                continue
            if lead is not None and person.pk == lead.pk:
                self.add_error(f"team_user_{i}", _("Analysledaren ingår redan och ska inte stå i teamet."))
            elif person.pk in seen:
                self.add_error(f"team_user_{i}", _("Personen finns redan i teamet."))
            seen.add(person.pk)
        return data

    def team(self) -> list[tuple]:
        """(user, profession) per filled row; the profession defaults to the person's job title."""
        rows = []
        for i in range(1, self.rows + 1):
            person = self.cleaned_data.get(f"team_user_{i}")
            if person is not None:
                rows.append((person, self.cleaned_data.get(f"team_profession_{i}") or person.job_title))
        return rows


class TimelineEntryForm(forms.Form):
    at = forms.DateTimeField(label=_("Tidpunkt"), widget=DateTimeInput())
    approximate = forms.BooleanField(label=_("Tidpunkten är ungefärlig"), required=False)
    description = forms.CharField(
        label=_("Vad hände?"), validators=[no_personal_number], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Beskriv vad som hände, inte vem som gjorde fel. Inga namn eller personnummer."),
    )
    source = forms.CharField(label=_("Källa"), max_length=200, required=False, validators=[no_personal_number],
                             help_text=_("T.ex. journalanteckning, intervju, e-post, loggutdrag."))

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now() + datetime.timedelta(minutes=1):
            raise forms.ValidationError(_("Tidpunkten kan inte ligga i framtiden."))
        return at

    @classmethod
    def for_entry(cls, entry, *, prefix, data=None):
        initial = {"at": timezone.localtime(entry.at), "approximate": entry.approximate,
                   "description": entry.description, "source": entry.source}
        return cls(data, prefix=prefix, initial=initial)


class CauseForm(forms.Form):
    """A link in a why-chain. `parent` is only offered when editing: moving a cause elsewhere.

    Choices come from the view, computed once for the whole tree (a form per cause would
    otherwise query the areas and causes again for each one)."""

    text = forms.CharField(label=_("Orsak"), validators=[no_personal_number], widget=forms.Textarea(attrs={"rows": 2}))
    parent = forms.ChoiceField(
        label=_("Svar på ”varför?” för"), required=False,
        help_text=_("Flytta orsaken till en annan plats i kedjan."),
    )
    is_root = forms.BooleanField(
        label=_("Det här är en grundorsak"), required=False,
        help_text=_("En orsak i verksamheten som, om den åtgärdas, hindrar att det händer igen."),
    )
    # Needed for a root cause only; the form shows the areas once "grundorsak" is ticked.
    cause_areas = NeededMultipleChoiceField(
        label=_("Orsaksområden"), widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj minst ett för en grundorsak."),
    )

    def __init__(self, *args, area_choices, parent_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause_areas"].choices = area_choices
        if parent_choices is None:
            del self.fields["parent"]
        else:
            self.fields["parent"].choices = [("", _("– Händelsen (första ledet i en egen kedja)")), *parent_choices]

    @classmethod
    def for_cause(cls, cause, *, area_choices, parent_choices, prefix, data=None):
        initial = {"text": cause.text, "parent": str(cause.parent_id or ""), "is_root": cause.is_root,
                   "cause_areas": [a.code for a in cause.cause_areas.all()]}
        return cls(data, area_choices=area_choices, parent_choices=parent_choices, prefix=prefix, initial=initial)


class ReportForm(forms.Form):
    """The report texts, saved as drafts while the team works; the lead hands them in from here."""

    event_description = forms.CharField(
        label=_("Händelsen och dess konsekvenser"), required=False, validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Vad hände, och vilka följder fick eller kunde det få?"),
    )
    method = forms.CharField(
        label=_("Metod och källor"), required=False, validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hur analysen gjordes: intervjuer, journalgranskning, rutiner och dokument."),
    )
    summary = NeededCharField(
        label=_("Sammanfattning"), validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Det uppdragsgivaren behöver veta: de viktigaste orsakerna och vad ni föreslår. "
                    "Krävs för att lämna rapporten."),
    )
    lessons = forms.CharField(
        label=_("Lärdomar"), required=False, validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vad kan andra enheter lära av analysen?"),
    )
    recurrence_probability = forms.TypedChoiceField(
        label=_("Sannolikhet att det händer igen"), choices=PROBABILITY_CHOICES, coerce=int,
        empty_value=None, required=False,
    )
    recurrence_consequence = forms.TypedChoiceField(
        label=_("Konsekvens om det händer igen"), choices=CONSEQUENCE_CHOICES, coerce=int,
        empty_value=None, required=False,
    )

    @classmethod
    def for_analysis(cls, analysis, data=None):
        initial = {name: getattr(analysis, name) for name in cls.base_fields}
        return cls(data, prefix="report", initial=initial)


class StartForm(forms.Form):
    """Nothing to fill in: the team begins."""


class DecideForm(forms.Form):
    comment = forms.CharField(
        label=_("Beslut och tidplan"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vilka av de föreslagna åtgärderna genomförs, och när följs de upp? "
                    "Skriv också om något förslag inte genomförs, och varför."),
    )


class FollowUpForm(forms.Form):
    feedback_given_on = NeededDateField(
        label=_("Personalen fick återkoppling"), widget=DateInput(),
        help_text=_("Datum då personalen (och vid behov den enskilde eller närstående) fick veta resultatet."),
    )
    comment = forms.CharField(
        label=_("Uppföljning"), required=False, validators=[no_personal_number],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Fick åtgärderna avsedd effekt? Behövs något mer?"),
    )


class CancelForm(forms.Form):
    reason = NeededCharField(label=_("Varför avbryts analysen?"), widget=forms.Textarea(attrs={"rows": 3}))


TRANSITION_FORMS = {
    "start": StartForm,
    "decide_actions": DecideForm,
    "record_follow_up": FollowUpForm,
    "cancel": CancelForm,
}
