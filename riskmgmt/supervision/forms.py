"""Forms of the supervision pages: the list filter, the decision form, one form per step of the
decision and its requirements. Forms parse and check input; the services decide what is allowed,
so a field a step needs (a date, an outcome) passes empty here and the refusal names it."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from riskmgmt.core.forms import DateInput, NeededCharField, NeededChoiceField, NeededDateField
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.deviations.models import Deviation
from riskmgmt.deviations.selectors import deviation_list_for_user
from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import units_in_scope

from .models import Requirement, SupervisionDecision
from .rules import RECORDER_ROLES

Authority, Kind, Outcome, Status = (SupervisionDecision.Authority, SupervisionDecision.Kind,
                                    SupervisionDecision.Outcome, SupervisionDecision.Status)
DEVIATION_CHOICES = 100  # the newest lex Sarah cases of the unit; one already linked is always offered
DOCUMENT_ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"  # what deviations.uploads accepts


MAX_ID = 2**63 - 1


def _as_id(value) -> int | None:
    """`value` as a primary key a database can hold, or None."""
    try:
        number = int(str(getattr(value, "pk", value)).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


def recording_units(user):
    """Active units the user may record decisions for (section manager, quality, management)."""
    return units_in_scope(user, RECORDER_ROLES).filter(is_active=True).order_by("path")


def process_label(process: Process) -> str:
    """"Mottagning › Skyddsbedömning (Mottagningsenheten)": a sub-process under its parent, with
    the unit (querysets select `unit` and `parent`)."""
    name = f"{process.parent.name} › {process.name}" if process.parent_id else process.name
    return f"{name} ({process.unit.name})"


class StepForm(forms.Form):
    use_required_attribute = False


class UnitChoiceField(forms.ModelChoiceField):
    top_depth = 0

    def label_from_instance(self, obj) -> str:
        # Indented by depth so the tree reads in the select: Familjesektionen, – Mottagningsenheten.
        return "\u2013 " * max(obj.depth - self.top_depth, 0) + obj.name


class ProcessChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return process_label(obj)


class ProcessMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return process_label(obj)

    def _check_values(self, value):
        # An id no database column can hold would make the `__in` query fail: refuse it here.
        for pk in value:
            if _as_id(pk) is None and str(pk).strip().lstrip("-").isdigit():
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


class DeviationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title} ({obj.unit.name}, {timezone.localtime(obj.reported_at):%Y-%m-%d})"


# ---------------------------------------------------------------- the list

class DecisionFilterForm(forms.Form):
    """GET filters of the list. An invalid value is reported and otherwise ignored."""

    STATUS_CHOICES = [("open", _("Pågående")), *Status.choices, ("all", _("Alla"))]

    q = forms.CharField(label=_("Sök på diarienummer eller ärende"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    authority = forms.ChoiceField(label=_("Myndighet"), choices=[("", _("Alla myndigheter")), *Authority.choices],
                                  required=False)
    outcome = forms.ChoiceField(label=_("Utfall"),
                                choices=[("", _("Alla utfall")), ("none", _("Inget beslut ännu")),
                                         *Outcome.choices], required=False)
    unit = UnitChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), required=False,
                           empty_label=_("Alla mina enheter"))
    due_before = forms.DateField(label=_("Krav att redovisa före"), required=False, widget=DateInput())

    def __init__(self, data, *, units):
        super().__init__(data)
        units = list(units)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        self.fields["unit"].top_depth = min((u.depth for u in units), default=0)

    def filters(self) -> dict:
        """The valid filters; an invalid one counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status") or "open"
        return {
            "q": (data.get("q") or "").strip(),
            "status": None if status == "all" else status,
            "authority": data.get("authority") or None,
            "outcome": data.get("outcome") or None,
            "unit": data.get("unit"),
            "due_before": data.get("due_before"),
        }


# ---------------------------------------------------------------- the decision

class DecisionForm(StepForm):
    """Registrera or ändra a decision. The processes and lex Sarah cases offered follow the chosen
    unit (with htmx at once; without JavaScript every recordable unit's are offered and the form
    checks the choice against the unit)."""

    authority = forms.ChoiceField(label=_("Myndighet"), choices=[("", _("– Välj –")), *Authority.choices])
    reference = forms.CharField(
        label=_("Myndighetens diarienummer"), max_length=60, validators=[no_personal_number],
        help_text=_("Som det står i beslutet, t.ex. 8.5-29206/2026 (IVO) eller 3673-2026 (JO)."),
    )
    kind = forms.ChoiceField(label=_("Typ av ärende"), choices=[("", _("– Välj –")), *Kind.choices])
    subject = forms.CharField(
        label=_("Vad ärendet gäller"), max_length=200, validators=[no_personal_number],
        help_text=_("Kort, utan namn eller personnummer. T.ex. ”Handläggning av orosanmälningar”."),
    )
    unit = UnitChoiceField(label=_("Enhet"), queryset=Unit.objects.none(), empty_label=_("– Välj enhet –"),
                           help_text=_("Den enhet eller sektion som beslutet gäller."))
    processes = ProcessMultipleChoiceField(
        label=_("Processer som beslutet gäller"), queryset=Process.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deviation = DeviationChoiceField(
        label=_("Lex Sarah-ärende som tillsynen gäller"), queryset=Deviation.objects.none(), required=False,
        empty_label=_("– Inget –"),
        help_text=_("När IVO:s tillsyn följer på en anmälan enligt lex Sarah."),
    )
    received_on = forms.DateField(label=_("Inkom"), widget=DateInput(), validators=[_not_in_future])
    decided_on = forms.DateField(label=_("Beslutsdatum"), required=False, widget=DateInput(),
                                 validators=[_not_in_future],
                                 help_text=_("Lämna tomt om myndigheten inte har beslutat ännu."))
    outcome = forms.ChoiceField(label=_("Utfall"), required=False,
                                choices=[("", _("Inget beslut ännu")), *Outcome.choices])
    summary = forms.CharField(label=_("Sammanfattning av beslutet"), required=False, widget=_textarea(5),
                              validators=[no_personal_number],
                              help_text=_("Vad myndigheten kritiserar eller kräver, med egna ord. "
                                          "Inga namn eller personnummer."))
    document = forms.FileField(
        label=_("Beslutet som fil"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        help_text=_("PDF, Word, Excel eller bild, högst 10 MB. Filen visas bara för dem som ser ärendet."),
    )

    def __init__(self, *args, user, decision: SupervisionDecision | None = None, **kwargs):
        if decision is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "authority": decision.authority, "reference": decision.reference, "kind": decision.kind,
                "subject": decision.subject, "unit": decision.unit_id,
                "processes": [p.pk for p in decision.processes.all()], "deviation": decision.deviation_id,
                "received_on": decision.received_on, "decided_on": decision.decided_on,
                "outcome": decision.outcome, "summary": decision.summary,
            }
        super().__init__(*args, **kwargs)
        self.user = user
        self.decision = decision
        units = list(recording_units(user))
        if decision is not None and decision.unit_id not in {u.pk for u in units}:
            units.append(decision.unit)  # recorded higher up; kept so saving does not move it
        unit_ids = [u.pk for u in units]
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=unit_ids).order_by("path")
        self.fields["unit"].top_depth = min((u.depth for u in units), default=0)
        keep = Q(pk__in=[p.pk for p in decision.processes.all()]) if decision is not None else Q(pk__in=[])
        self.fields["processes"].queryset = (
            Process.objects.filter(Q(unit__in=unit_ids, is_active=True) | keep).select_related("unit", "parent")
            .order_by("unit__path", Coalesce("parent__name", "name"), "parent__name", "name")
        )
        keep_deviation = Q(pk=decision.deviation_id) if decision is not None and decision.deviation_id \
            else Q(pk__in=[])
        self.fields["deviation"].queryset = deviation_list_for_user(user).filter(
            Q(kind=Deviation.Kind.LEX_SARAH, unit__in=unit_ids) | keep_deviation)
        if decision is not None and decision.status not in (Status.RECEIVED, Status.RESPONDING):
            # Recorded through the step "Registrera beslut"; corrected here, never emptied.
            self.fields["decided_on"].help_text = ""
            self.fields["outcome"].choices = Outcome.choices
        if decision is not None and decision.document:
            self.fields["document"].help_text = _("Ladda upp en ny fil bara om du vill ersätta ”%(name)s”.") % {
                "name": decision.document_name}
        self.fields["document"].widget = forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT})
        # With htmx, choosing a unit narrows the processes and lex Sarah cases to it.
        url = reverse("supervision:edit", args=[decision.pk]) if decision else reverse("supervision:create")
        self.fields["unit"].widget.attrs.update({
            "hx-get": url, "hx-trigger": "change", "hx-target": "#unit-choices", "hx-swap": "outerHTML",
            "hx-include": "[name='processes'],[name='deviation']",
        })
        self._limit_choices()

    def selected_unit(self) -> Unit | None:
        raw = self.data.get("unit") if self.is_bound else self.initial.get("unit")
        pk = _as_id(raw)
        return self.fields["unit"].queryset.filter(pk=pk).first() if pk is not None else None

    def _chosen(self, name: str) -> list[int]:
        if self.is_bound:
            raw = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
        else:
            raw = self.initial.get(name) or []
        if not isinstance(raw, list | tuple):
            raw = [raw]
        return [pk for pk in (_as_id(v) for v in raw) if pk is not None]

    def _limit_choices(self) -> None:
        """Offer the chosen unit's processes and newest lex Sarah cases, plus anything already
        chosen; the fields still accept anything in their querysets and `clean` checks the unit."""
        unit = self.selected_unit()
        self.choice_unit = unit
        processes = self.fields["processes"]
        deviation = self.fields["deviation"]
        process_qs = processes.queryset
        deviation_qs = deviation.queryset
        if unit is not None:
            process_qs = process_qs.filter(unit__path__startswith=unit.path)
            deviation_qs = deviation_qs.filter(unit__path__startswith=unit.path)
        chosen_processes = self._chosen("processes")
        offered = list(process_qs)
        extra = [p for p in processes.queryset.filter(pk__in=chosen_processes) if p not in offered]
        processes.widget.choices = [(p.pk, process_label(p)) for p in [*extra, *offered]]
        newest = list(deviation_qs.order_by("-reported_at", "-pk")[:DEVIATION_CHOICES])
        chosen_deviation = self._chosen("deviation")
        extra_dev = [d for d in deviation.queryset.filter(pk__in=chosen_deviation) if d not in newest]
        deviation.widget.choices = [("", deviation.empty_label)] + [
            (d.pk, deviation.label_from_instance(d)) for d in [*extra_dev, *newest]]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None:
            outside = [p for p in data.get("processes") or [] if not p.unit.path.startswith(unit.path)]
            if outside:
                self.add_error("processes", _("Processen ”%(name)s” hör inte till %(unit)s.")
                               % {"name": outside[0].name, "unit": unit.name})
            deviation = data.get("deviation")
            if deviation is not None and not deviation.unit.path.startswith(unit.path):
                self.add_error("deviation", _("Lex Sarah-ärendet hör inte till %(unit)s.") % {"unit": unit.name})
        if bool(data.get("decided_on")) != bool(data.get("outcome")) and not self.errors.get("decided_on"):
            field = "outcome" if data.get("decided_on") else "decided_on"
            self.add_error(field, _("Ange både beslutsdatum och utfall, eller inget av dem."))
        return data


# ---------------------------------------------------------------- steps of the decision

class RequestStatementForm(StepForm):
    requested_on = NeededDateField(label=_("Begäran kom"), widget=DateInput(), initial=timezone.localdate,
                                   validators=[_not_in_future])
    due_date = NeededDateField(label=_("Yttrandet ska vara inne senast"), widget=DateInput())
    description = forms.CharField(label=_("Vad myndigheten vill ha svar på"), required=False, widget=_textarea(3),
                                  validators=[no_personal_number])


class RecordDecisionForm(StepForm):
    decided_on = NeededDateField(label=_("Beslutsdatum"), widget=DateInput(), validators=[_not_in_future])
    outcome = NeededChoiceField(label=_("Utfall"), choices=Outcome.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Sammanfattning av beslutet"), required=False, widget=_textarea(4),
                              validators=[no_personal_number],
                              help_text=_("Lämnas tomt behålls sammanfattningen som redan finns."))


class StartReportBackForm(StepForm):
    pass


class CloseForm(StepForm):
    closed_on = NeededDateField(label=_("Myndigheten avslutade ärendet"), widget=DateInput(),
                                initial=timezone.localdate, validators=[_not_in_future])


TRANSITION_FORMS = {
    "request_statement": RequestStatementForm,
    "record_decision": RecordDecisionForm,
    "start_report_back": StartReportBackForm,
    "close": CloseForm,
}


class StatementSubmitForm(StepForm):
    submitted_on = forms.DateField(label=_("Yttrandet skickades"), widget=DateInput(),
                                   initial=timezone.localdate, validators=[_not_in_future])


# ---------------------------------------------------------------- requirements

class RequirementForm(StepForm):
    text = forms.CharField(label=_("Krav"), widget=_textarea(3), validators=[no_personal_number],
                           help_text=_("Vad myndigheten kräver att nämnden gör eller redovisar, med beslutets ord."))
    due_date = forms.DateField(label=_("Redovisas senast"), widget=DateInput())
    process = ProcessChoiceField(label=_("Process"), queryset=Process.objects.none(), required=False,
                                 empty_label=_("– Ingen särskild –"),
                                 help_text=_("Den process kravet gäller. Kravet syns då på processens sida."))

    def __init__(self, *args, decision: SupervisionDecision, **kwargs):
        super().__init__(*args, **kwargs)
        linked = [p.pk for p in decision.processes.all()]
        self.fields["process"].queryset = (
            Process.objects.filter(Q(unit__path__startswith=decision.unit.path, is_active=True) | Q(pk__in=linked))
            .select_related("unit", "parent")
            .order_by("unit__path", Coalesce("parent__name", "name"), "parent__name", "name")
        )


class ReportBackForm(StepForm):
    reported_on = NeededDateField(label=_("Redovisningen skickades"), widget=DateInput(),
                                  initial=timezone.localdate, validators=[_not_in_future])
    summary = NeededCharField(label=_("Vad som redovisades"), widget=_textarea(4), validators=[no_personal_number],
                              help_text=_("Vilka åtgärder nämnden har vidtagit eller planerar, och när."))
    document = forms.FileField(label=_("Redovisningen som fil"), required=False,
                               widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
                               help_text=_("PDF, Word, Excel eller bild, högst 10 MB."))


class AcceptForm(StepForm):
    accepted_on = forms.DateField(label=_("Myndigheten godtog redovisningen"), required=False, widget=DateInput(),
                                  initial=timezone.localdate, validators=[_not_in_future])


REQUIREMENT_FORMS = {"report_back": ReportBackForm, "accept": AcceptForm}
REQUIREMENT_STATUS = Requirement.Status
