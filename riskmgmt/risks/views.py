"""The yearly riskanalys in the browser: the units' analyses, planning one, the live workshop (quick
add, the register, the matrix, high risks without action, hold and approve), one risk and its edit.

Every view is parse → access gate → service → render or redirect. With htmx a new risk swaps the
add form, the matrix, the warnings and the register in place; without JavaScript the form posts and
redirects back. A refused request re-renders with what was typed: 400 for bad input, 409 when a rule
of the analysis stops it, 403 when the user may not do it at all, 404 outside the scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from riskmgmt.actions.models import Action
from riskmgmt.actions.sources import action_source_for_model
from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.fsm import Guard, transition_label, transition_log_entries
from riskmgmt.organisation import rules as org_rules
from riskmgmt.organisation.models import Unit
from riskmgmt.organisation.selectors import units_in_scope

from . import services
from .forms import TRANSITION_FORMS, AnalysisCreateForm, RiskEditForm, RiskForm, units_to_plan_for
from .matrix import matrix_for
from .models import (
    CONSEQUENCE_LABELS,
    PROBABILITY_LABELS,
    TRANSITION_NAMES,
    Level,
    Risk,
    RiskAnalysis,
    RiskMatrixSettings,
)
from .rules import runs_analysis
from .selectors import analysis_get_for_user, risk_get_for_user, risks_with_level

Status = RiskAnalysis.Status
MAIN_ROAD = (Status.PLANNED, Status.HELD, Status.APPROVED)
NEEDS_ACTION = (Level.HIGH, Level.VERY_HIGH)  # DOMAIN.md A6: hög or above needs an action
ADD_ANCHOR = "lagg-till-risk"
JUST_ADDED = "lagt-till"  # query flag after a no-JS add: the title field takes focus again
DONE_MESSAGES = {
    "hold": gettext_lazy("Riskanalysen är markerad som genomförd. Ledningsgruppen kan nu gå igenom och godkänna den."),
    "approve": gettext_lazy("Riskanalysen för %(unit)s %(year)s är godkänd."),
}
HISTORY_REASONS = {
    "create": gettext_lazy("Risken lades till"),
    "update": gettext_lazy("Ändrad"),
    "carry_forward": gettext_lazy("Förd vidare från förra årets riskanalys"),
}
HISTORY_FIELDS = ("title", "description", "process", "probability", "consequence", "residual_probability",
                  "residual_consequence", "escalated", "escalation_reason", "status")
HISTORY_SHOWS_VALUES = {"probability", "consequence", "residual_probability", "residual_consequence", "escalated",
                        "status"}


def _add_service_errors(form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _level_label(level: str | None) -> str:
    return str(Level(level).label) if level else ""


# ---------------------------------------------------------------- the units' analyses

def _list_context(request) -> dict:
    """Each unit in scope with this year's and last year's analysis: three queries in all."""
    user = request.user
    year = timezone.localdate().year
    years = (year, year - 1)
    units = list(
        units_in_scope(user).filter(is_active=True)
        .filter(Q(kind=Unit.Kind.UNIT) | Q(risk_analyses__year__in=years))
        .select_related("parent").distinct().order_by("path")
    )
    analyses = RiskAnalysis.objects.filter(unit__in=[u.pk for u in units], year__in=years).annotate(
        open_risks=Count("risks", filter=Q(risks__status=Risk.Status.OPEN)))
    by_unit = {(a.unit_id, a.year): a for a in analyses}
    rows = []
    for unit in units:
        current, previous = by_unit.get((unit.pk, year)), by_unit.get((unit.pk, year - 1))
        can_run = org_rules.manages_unit(user, unit)
        rows.append({
            "unit": unit, "current": current, "previous": previous, "can_run": can_run,
            "can_plan": can_run and current is None and unit.kind == Unit.Kind.UNIT,
            "can_carry_forward": can_run and current is None and previous is not None,
        })
    return {"rows": rows, "year": year, "last_year": year - 1,
            "sees_everything": org_rules.sees_everything(user),
            "can_plan": any(row["can_run"] for row in rows)}


def _list_response(request, status: int = 200) -> HttpResponse:
    return render(request, "risks/analysis_list.html", _list_context(request), status=status)


@login_required
def analysis_list(request: HttpRequest) -> HttpResponse:
    """"Riskanalyser": this year's and last year's analysis of every unit the user sees."""
    return _list_response(request)


@login_required
def analysis_create(request: HttpRequest) -> HttpResponse:
    """"Planera riskanalys" for a unit and year (?unit=&year= from the list fill them in)."""
    user = request.user
    if not units_to_plan_for(user).exists():
        raise PermissionDenied
    initial = {key: request.GET[key] for key in ("unit", "year") if request.GET.get(key)}
    form = AnalysisCreateForm(request.POST or None, user=user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                analysis = services.risk_analysis_create(actor=user, **form.cleaned_data)
            except services.RiskValidationError as exc:
                _add_service_errors(form, exc.errors)
            else:
                messages.success(request, _("Riskanalysen för %(unit)s %(year)s är planerad. Lägg till riskerna "
                                            "här, gärna tillsammans med medarbetarna.")
                                 % {"unit": analysis.unit.name, "year": analysis.year})
                return redirect("risks:detail", analysis.pk)
    return render(request, "risks/analysis_form.html", {"form": form}, status=status)


@login_required
@require_POST
def analysis_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """"Starta årets riskanalys": next year's analysis with last year's open risks, each linked back."""
    analysis = analysis_get_for_user(request.user, pk)
    if not runs_analysis(request.user, analysis):
        raise PermissionDenied
    try:
        new = services.risk_analysis_carry_forward(analysis=analysis, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _list_response(request, status=409)
    count = new.risks.count()
    if count:
        text = ngettext(
            "Riskanalysen för %(year)s är startad med %(count)s öppen risk från %(last)s. Gå igenom den och "
            "bedöm den på nytt.",
            "Riskanalysen för %(year)s är startad med %(count)s öppna risker från %(last)s. Gå igenom dem och "
            "bedöm dem på nytt.", count)
    else:
        text = _("Riskanalysen för %(year)s är startad. Det fanns inga öppna risker att föra vidare från %(last)s.")
    messages.success(request, text % {"year": new.year, "count": count, "last": analysis.year})
    return redirect("risks:detail", new.pk)


# ---------------------------------------------------------------- the workshop

def _progress(analysis) -> list[dict]:
    current = MAIN_ROAD.index(analysis.status)
    labels = dict(Status.choices)
    finished = analysis.status == Status.APPROVED
    return [{"label": labels[s], "done": i < current or finished, "current": i == current}
            for i, s in enumerate(MAIN_ROAD)]


def _action_count():
    """Live actions on a risk (on it, or addressing it), as a subquery: one query for the register."""
    risk_type = ContentType.objects.get_for_model(Risk)
    on_risk = Q(source_content_type=risk_type, source_id=OuterRef("pk")) | Q(
        addresses_content_type=risk_type, addresses_id=OuterRef("pk"))
    counted = (Action.objects.filter(on_risk).exclude(status=Action.Status.CANCELLED).order_by()
               .annotate(n=Func(F("pk"), function="COUNT")).values("n"))
    return Subquery(counted, output_field=IntegerField())


def _decorate(risk: Risk, settings: RiskMatrixSettings) -> Risk:
    """Display facts for one risk: level label, residual score and level, whether it lacks an action."""
    risk.level_value = getattr(risk, "risk_level", None) or settings.level_for(risk.probability, risk.consequence)
    risk.level_label = _level_label(risk.level_value)
    risk.is_open = risk.status == Risk.Status.OPEN
    risk.residual_score = risk.residual_level = None
    if risk.residual_probability and risk.residual_consequence:
        risk.residual_score = risk.residual_probability * risk.residual_consequence
        risk.residual_level = settings.level_for(risk.residual_probability, risk.residual_consequence)
        risk.residual_level_label = _level_label(risk.residual_level)
    count = getattr(risk, "action_count", None)
    risk.needs_action = risk.is_open and risk.level_value in NEEDS_ACTION and count == 0
    return risk


def _register(analysis, settings: RiskMatrixSettings) -> list[Risk]:
    open_first = Case(When(status=Risk.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    qs = (risks_with_level(analysis.risks.select_related("process"))
          .annotate(action_count=_action_count(), open_first=open_first)
          .order_by("open_first", "-score", "pk"))
    return [_decorate(risk, settings) for risk in qs]


def _matrix(analysis, settings: RiskMatrixSettings) -> dict:
    """The 4×4 heatmap of the analysis's open risks; each cell links to the risk list."""
    return matrix_for(analysis.risks.all(), {"unit": analysis.unit_id, "year": analysis.year}, settings=settings)


def _live_context(request, analysis, bound: dict, just_added: bool = False, keep: dict | None = None) -> dict:
    """What a new risk changes: the add form, the matrix, the warnings and the register.
    `keep`: type, perspective and process of the risk just added, as the next one often shares them."""
    can_add = runs_analysis(request.user, analysis) and analysis.status != Status.APPROVED
    settings = RiskMatrixSettings.current()
    risks = _register(analysis, settings)
    form = bound.get("risk")
    if form is None and can_add:
        form = RiskForm(unit=analysis.unit, initial=keep or {})
        if just_added:
            form.fields["title"].widget.attrs["autofocus"] = True
    return {
        "analysis": analysis, "can_add": can_add, "can_run": runs_analysis(request.user, analysis),
        "add_form": form, "risks": risks, "open_count": sum(1 for r in risks if r.is_open),
        "without_action": [r for r in risks if r.needs_action],
        "matrix": _matrix(analysis, settings),
    }


def _transition_form(name: str, analysis, data=None):
    form_class = TRANSITION_FORMS[name]
    if name == "hold":
        return form_class(data, unit=analysis.unit)
    return form_class(data)


def _transitions(request, analysis, bound: dict) -> list[dict]:
    """The steps the user may take from this status, each with its form."""
    items = []
    for name in TRANSITION_NAMES:
        fsm_transition = getattr(RiskAnalysis, name)._django_fsm.get_transition(analysis.status)
        allowed = fsm_transition is not None and fsm_transition.has_perm(analysis, request.user)
        # A refused form stays on the page even when its step is gone, so nothing typed is lost.
        if not allowed and name not in bound:
            continue
        items.append({"name": name, "label": transition_label(analysis, name),
                      "form": bound.get(name) or _transition_form(name, analysis)})
    return items


def _next_year_open(request, analysis) -> bool:
    """Whether to offer "start next year's analysis" here: an earlier year, none yet for the next."""
    return (analysis.year < timezone.localdate().year and runs_analysis(request.user, analysis)
            and not RiskAnalysis.objects.filter(unit=analysis.unit, year=analysis.year + 1).exists())


def _context(request, analysis, bound: dict | None = None, just_added: bool = False) -> dict:
    bound = bound or {}
    context = _live_context(request, analysis, bound, just_added)
    context.update({
        "progress": _progress(analysis),
        "transitions": _transitions(request, analysis, bound),
        "participants": list(analysis.participants.order_by("first_name", "last_name"))
        if analysis.status != Status.PLANNED else [],
        "perspective_labels": [label for value, label in RiskAnalysis.Perspective.choices
                               if value in (analysis.perspectives or [])],
        "offer_next_year": _next_year_open(request, analysis),
        "has_previous": RiskAnalysis.objects.filter(unit=analysis.unit, year=analysis.year - 1).exists(),
        "log": transition_log_entries(analysis),
        "sees_everything": org_rules.sees_everything(request.user),
    })
    return context


def _render(request, analysis, bound: dict | None = None, status: int = 200, just_added: bool = False):
    return render(request, "risks/analysis_detail.html", _context(request, analysis, bound, just_added),
                  status=status)


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    return _render(request, analysis, just_added=bool(request.GET.get(JUST_ADDED)))


def _detail_url(analysis) -> str:
    return reverse("risks:detail", args=[analysis.pk])


def _add_refused(request, analysis, form, status: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, analysis.pk)
    if request.htmx:
        return render(request, "risks/_workshop_live.html", _live_context(request, analysis, {"risk": form}),
                      status=status)
    return _render(request, analysis, {"risk": form}, status=status)


@login_required
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick add: with htmx the live part of the workshop swaps in place, focus back on "Risk"."""
    analysis = analysis_get_for_user(request.user, pk)
    if request.method != "POST":
        return redirect(f"{_detail_url(analysis)}#{ADD_ANCHOR}")
    if not runs_analysis(request.user, analysis):
        raise PermissionDenied
    form = RiskForm(request.POST, unit=analysis.unit)
    if not form.is_valid():
        return _add_refused(request, analysis, form, 400)
    try:
        risk = services.risk_add(analysis=analysis, actor=request.user, **form.cleaned_data)
    except services.RiskValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _add_refused(request, analysis, form, 400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _add_refused(request, analysis, form, 409)
    messages.success(request, _("Risken ”%(title)s” är tillagd: %(score)s poäng, %(level)s.") % {
        "title": risk.title, "score": risk.probability * risk.consequence,
        "level": _level_label(risk.level).lower()})
    if request.htmx:
        keep = {name: form.cleaned_data[name] for name in ("risk_type", "perspective", "process")}
        context = _live_context(request, analysis, {}, just_added=True, keep=keep)
        return render(request, "risks/_workshop_live.html", {**context, "messages_oob": True})
    return redirect(f"{_detail_url(analysis)}?{JUST_ADDED}=1#{ADD_ANCHOR}")


def _require_transition_perm(analysis, name: str, user) -> None:
    """403 when the user may not take this step at all; a wrong status is the service's 409."""
    meta = getattr(RiskAnalysis, name)._django_fsm
    fsm_transition = meta.get_transition(analysis.status)
    candidates = [fsm_transition] if fsm_transition is not None else list(meta.transitions.values())
    if not any(t.has_perm(analysis, user) for t in candidates):
        raise PermissionDenied


def _run_transition(name: str, analysis, actor, data: dict) -> None:
    if name == "hold":
        services.risk_analysis_hold(analysis=analysis, actor=actor, held_on=data["held_on"],
                                    participants=list(data["participants"]),
                                    participants_text=data["participants_text"], perspectives=data["perspectives"])
    else:
        services.risk_analysis_approve(analysis=analysis, actor=actor, comment=data["comment"])


def _add_refusal(form, exc: ApplicationError, name: str) -> None:
    """A refused step: each missing fact under its own field with its guard's message, so the
    error summary links every one; only what no field can fix stays at the top of the form."""
    guards = {condition.field: condition.message
              for fsm_transition in getattr(RiskAnalysis, name)._django_fsm.transitions.values()
              for condition in fsm_transition.conditions if isinstance(condition, Guard)}
    at_fields = [field for field in exc.missing if field in form.fields and field in guards]
    for field in at_fields:
        form.add_error(field, guards[field])
    if not at_fields or set(exc.missing) - set(at_fields):
        form.add_error(None, exc.message)


def _next_url(request, default: str) -> str:
    """Where a step returns to: a posted `next` on this site (the year view), else the workshop."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def analysis_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One POST per step (hold, approve); a refusal re-renders the workshop with what was typed."""
    analysis = analysis_get_for_user(request.user, pk)
    if name not in TRANSITION_NAMES:
        raise Http404
    _require_transition_perm(analysis, name, request.user)
    form = _transition_form(name, analysis, request.POST)
    if not form.is_valid():
        return _render(request, analysis, {name: form}, status=400)
    try:
        _run_transition(name, analysis, request.user, form.cleaned_data)
    except services.RiskValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render(request, analysis_get_for_user(request.user, pk), {name: form}, status=400)
    except ApplicationError as exc:
        _add_refusal(form, exc, name)
        return _render(request, analysis_get_for_user(request.user, pk), {name: form}, status=409)
    messages.success(request, str(DONE_MESSAGES[name]) % {"unit": analysis.unit.name, "year": analysis.year})
    return redirect(_next_url(request, _detail_url(analysis)))


# ---------------------------------------------------------------- one risk

def _source_link(request, risk: Risk) -> dict | None:
    """The deviation or requirement the risk was raised from: a link when the user may open it."""
    if not risk.source_content_type_id:
        return None
    source = action_source_for_model(risk.source_content_type.model_class())
    label = risk.source_content_type.model_class()._meta.verbose_name
    if source is None:
        return {"kind": label, "title": "", "url": ""}
    try:
        obj = source.get_for_user(request.user, risk.source_id)
    except Http404:
        return {"kind": source.label, "title": _("(du har inte behörighet att se den)"), "url": ""}
    return {"kind": source.label, "title": source.title_of(obj), "url": source.url_of(obj)}


def _field_history(risk: Risk) -> list[dict]:
    """Who changed what and when (simple-history), newest first, the last 50 saves."""
    records = list(risk.history.select_related("history_user").order_by("-history_date", "-history_id")[:51])
    records.reverse()
    fields = {name: Risk._meta.get_field(name) for name in HISTORY_FIELDS}
    entries = []
    for previous, record in zip([None, *records[:-1]], records, strict=True):
        reason = record.history_change_reason or ""
        changes = []
        if previous is not None:
            for name, field in fields.items():
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old == new:
                    continue
                item = {"field": str(field.verbose_name)}
                if name in HISTORY_SHOWS_VALUES:
                    item["old"], item["new"] = _history_value(field, old), _history_value(field, new)
                changes.append(item)
            if not changes:
                continue
        user = record.history_user
        entries.append({"at": record.history_date, "by": user.full_name if user else _("Systemet"),
                        "label": str(HISTORY_REASONS.get(reason, reason or _("Ändrad"))), "changes": changes})
    entries.reverse()
    return entries[:50]


def _history_value(field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def _risk_context(request, risk: Risk) -> dict:
    settings = RiskMatrixSettings.current()
    risk.action_count = Action.objects.filter(
        Q(source_content_type=ContentType.objects.get_for_model(Risk), source_id=risk.pk)
        | Q(addresses_content_type=ContentType.objects.get_for_model(Risk), addresses_id=risk.pk)
    ).exclude(status=Action.Status.CANCELLED).count()
    _decorate(risk, settings)
    predecessor = risk.predecessor
    if predecessor is not None:
        predecessor = Risk.objects.select_related("analysis").get(pk=predecessor.pk)
        _decorate(predecessor, settings)
    successors = [_decorate(r, settings) for r in risk.successors.select_related("analysis").order_by("analysis__year")]
    return {
        "risk": risk, "analysis": risk.analysis,
        "probability_label": PROBABILITY_LABELS.get(risk.probability, ""),
        "consequence_label": CONSEQUENCE_LABELS.get(risk.consequence, ""),
        "can_edit": runs_analysis(request.user, risk.analysis),
        "predecessor": predecessor, "successors": successors,
        "source": _source_link(request, risk),
        "history": _field_history(risk),
    }


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One risk: its scores and level, links back and forward in the years, its actions and history."""
    risk = risk_get_for_user(request.user, pk)
    return render(request, "risks/risk_detail.html", _risk_context(request, risk))


def _risk_status(request, risk: Risk) -> HttpResponse:
    """"Stäng risken" / "Öppna risken igen" from the risk's page."""
    status = request.POST.get("status")
    if status not in Risk.Status.values:
        messages.error(request, _("Välj om risken ska vara öppen eller stängd."))
        return render(request, "risks/risk_detail.html", _risk_context(request, risk), status=400)
    services.risk_update(risk=risk, actor=request.user, status=status)
    messages.success(request, _("Risken är stängd. Den följer inte med till nästa års riskanalys.")
                     if status == Risk.Status.CLOSED else _("Risken är öppen igen."))
    return redirect("risks:risk-detail", risk.pk)


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-score, record the risk after actions, lift it to the section; the enhetschef's."""
    risk = risk_get_for_user(request.user, pk)
    if not runs_analysis(request.user, risk.analysis):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("form") == "status":
        return _risk_status(request, risk)
    form = RiskEditForm.for_risk(risk, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.risk_update(risk=risk, actor=request.user, **form.cleaned_data)
            except services.RiskValidationError as exc:
                _add_service_errors(form, exc.errors)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("Risken är ändrad."))
                return redirect("risks:risk-detail", risk.pk)
        # A refused service may have set fields on the instance; the heading shows what is stored.
        risk = risk_get_for_user(request.user, pk)
    return render(request, "risks/risk_edit.html", {"form": form, "risk": risk, "analysis": risk.analysis},
                  status=status)
