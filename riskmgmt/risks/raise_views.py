"""Raise as risk: a deviation (or, once supervision registers itself, a requirement) becomes a
risk in its unit's analysis for the current year (ARCHITECTURE.md §5).

Sources live in a small registry so an app can add itself from its AppConfig.ready():

    register_raise_source(RaiseSource(key="requirement", model=Requirement, ...))

The URL is `risks:raise` with the source's key and the object's id. Only the unit's managers
raise; the source's own access gate answers 404 outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.organisation.models import Process
from riskmgmt.organisation.rules import manages_unit

from . import services
from .models import CONSEQUENCE_LABELS, PROBABILITY_LABELS, Risk, RiskAnalysis
from .rules import sees_analysis


@dataclass(frozen=True)
class RaiseSource:
    """What can be raised as a risk, and how to find its unit, title and process."""

    key: str  # the URL slug, e.g. "deviation"
    model: type
    label: str  # e.g. "Avvikelse"
    get_for_user: Callable[[Any, Any], Any]  # (user, pk) -> object, Http404 outside the user's scope
    unit_of: Callable[[Any], Any]
    title_of: Callable[[Any], str]  # the suggested risk title (no personal data)
    process_of: Callable[[Any], Any] = lambda obj: None
    name_of: Callable[[Any], str] = str  # how the risk page names the source, e.g. its reference


RAISE_SOURCES: dict[str, RaiseSource] = {}


def register_raise_source(source: RaiseSource) -> None:
    RAISE_SOURCES[source.key] = source


def raise_source_for_model(model: type) -> RaiseSource | None:
    return next((s for s in RAISE_SOURCES.values() if s.model is model), None)


def risks_raised_from(obj) -> list[Risk]:
    """The risks raised from `obj`, newest analysis first (one per analysis at most)."""
    return list(Risk.objects.filter(source_content_type=ContentType.objects.get_for_model(obj), source_id=obj.pk)
                .select_related("analysis__unit").order_by("-analysis__year", "pk"))


def risk_source(risk: Risk):
    """The object a risk was raised from (a deviation, a requirement), or None."""
    if not risk.source_content_type_id:
        return None
    model = ContentType.objects.get_for_id(risk.source_content_type_id).model_class()
    return model._default_manager.filter(pk=risk.source_id).first() if model else None


def may_raise(user, source: RaiseSource, obj) -> bool:
    """The unit's managers (enhetschef, sektionschef) raise; they run its risk analysis."""
    return manages_unit(user, source.unit_of(obj))


def register() -> None:
    from riskmgmt.deviations.models import Deviation
    from riskmgmt.deviations.selectors import deviation_get_for_user

    register_raise_source(RaiseSource(
        key="deviation", model=Deviation, label=gettext_lazy("Avvikelse"),
        get_for_user=deviation_get_for_user,
        unit_of=lambda d: d.unit,
        title_of=lambda d: d.title,
        process_of=lambda d: d.process,
        name_of=lambda d: f"{d.reference} {d.title}",
    ))


# ---------------------------------------------------------------- the form and the view

def _score_choices(labels) -> list[tuple[int, str]]:
    return [(value, f"{value}: {label}") for value, label in labels.items()]


class RaiseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Risk"), max_length=200, validators=[no_personal_number],
                            help_text=gettext_lazy("Vad kan hända? Inga namn eller personnummer."))
    risk_type = forms.ChoiceField(label=gettext_lazy("Typ"), choices=Risk.RiskType.choices)
    perspective = forms.ChoiceField(label=gettext_lazy("Perspektiv"), choices=RiskAnalysis.Perspective.choices)
    probability = forms.TypedChoiceField(label=gettext_lazy("Sannolikhet"), coerce=int,
                                         choices=_score_choices(PROBABILITY_LABELS))
    consequence = forms.TypedChoiceField(label=gettext_lazy("Konsekvens"), coerce=int,
                                         choices=_score_choices(CONSEQUENCE_LABELS))
    process = forms.ModelChoiceField(label=gettext_lazy("Process"), queryset=Process.objects.none(), required=False)

    # The form also sits on the source's page, beside other forms with a "title".
    prefix = "risk"

    def __init__(self, *args, unit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["process"].queryset = Process.objects.filter(unit=unit, is_active=True).order_by("name")


def _initial(source: RaiseSource, obj) -> dict:
    return {"title": source.title_of(obj)[:200], "risk_type": Risk.RiskType.PROCESS,
            "perspective": RiskAnalysis.Perspective.CLIENT, "probability": 2, "consequence": 2,
            "process": source.process_of(obj)}


def _source_and_object(request: HttpRequest, key: str, pk: int):
    source = RAISE_SOURCES.get(key)
    if source is None:
        raise Http404
    obj = source.get_for_user(request.user, pk)  # 404 outside the user's scope
    if not may_raise(request.user, source, obj):
        raise PermissionDenied(_("Risker lyfts av enhetens chef."))
    return source, obj


@login_required
def risk_raise(request: HttpRequest, source: str, pk: int) -> HttpResponse:
    """GET: the short form, prefilled from the source. POST: the risk in the unit's analysis for
    this year (planned if it was missing), then the risk's page. Raising twice finds the first."""
    raise_source, obj = _source_and_object(request, source, pk)
    unit = raise_source.unit_of(obj)
    raised = risks_raised_from(obj)
    data = request.POST if request.method == "POST" else None
    form = RaiseForm(data, unit=unit, initial=_initial(raise_source, obj))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                risk = services.risk_raise_from(source_obj=obj, unit=unit, actor=request.user, **form.cleaned_data)
            except services.RiskValidationError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except ApplicationError as exc:  # this year's analysis is already approved
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Risken finns nu i %(analysis)s.") % {"analysis": risk.analysis})
                return redirect(reverse("risks:risk-detail", args=[risk.pk]))
        status = 400
    return render(request, "risks/raise.html", {
        "source": raise_source, "source_obj": obj, "source_name": raise_source.name_of(obj), "form": form,
        "raised": raised, "raised_this_year": _this_year(raised), "unit": unit, "back": obj.get_absolute_url(),
    }, status=status)


def _this_year(raised: list[Risk]) -> Risk | None:
    year = timezone.localdate().year
    return next((risk for risk in raised if risk.analysis.year == year), None)


def raise_panel_context(user, obj) -> dict:
    """What the source's page shows: the risks raised from it, and whether the user may raise it."""
    source = raise_source_for_model(type(obj))
    if source is None:
        return {}
    raised = [risk for risk in risks_raised_from(obj) if sees_analysis(user, risk.analysis)]
    return {"raise_source": source, "raise_obj": obj, "raised": raised, "raised_this_year": _this_year(raised),
            "can_raise": may_raise(user, source, obj), "initial": _initial(source, obj)}
