"""Supervision pages: the list of decisions, the coming report-back dates, the decision form, and
the decision page with its statement requests, requirements (each with its actions and report),
the steps of the case and the history. The report-back letter is in letter.py.

Every view is parse → access gate → service → render or redirect. A refused request re-renders
the decision page with what was typed and the error summary at the top: 400 for bad input, 409
when a rule of the case stops it, 403 when the user may not take the step at all, 404 outside scope.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from riskmgmt.actions import services as action_services
from riskmgmt.actions.forms import ActionForm
from riskmgmt.actions.models import Action
from riskmgmt.actions.sources import action_source
from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.fsm import transition_failed_guards, transition_label
from riskmgmt.core.models import Transition
from riskmgmt.deviations.rules import can_view_deviation
from riskmgmt.deviations.uploads import upload_check
from riskmgmt.organisation.selectors import units_in_scope, user_has_role
from riskmgmt.risks.models import Level
from riskmgmt.risks.selectors import risk_list_for_user, risks_with_level

from . import services
from .forms import (
    REQUIREMENT_FORMS,
    TRANSITION_FORMS,
    DecisionFilterForm,
    DecisionForm,
    RequestStatementForm,
    RequirementForm,
    StatementSubmitForm,
    recording_units,
)
from .models import DECISION_TRANSITION_NAMES, Requirement, StatementRequest, SupervisionDecision
from .rules import manages_decision_unit, records_decision
from .selectors import (
    VIEWER_ROLES,
    decision_filter,
    decision_get_for_user,
    decisions_for_user,
    requirements_for_decision,
    statement_requests_due,
    upcoming_report_backs,
)

Status = SupervisionDecision.Status
ReqStatus = Requirement.Status
PAGE_SIZE = 50
UPCOMING_DAYS = (30, 60, 90, 180, 365)
UPCOMING_LIMIT = 500  # a calendar page; the list and the API hold the rest
DONE_MESSAGES = {
    "request_statement": gettext_lazy("Begäran om yttrande är registrerad. Yttrandet ska vara inne senast %(date)s."),
    "record_decision": gettext_lazy("Beslutet är registrerat: %(outcome)s."),
    "start_report_back": gettext_lazy("Redovisningen är påbörjad."),
    "close": gettext_lazy("Ärendet är avslutat."),
}
TRANSITION_HELP = {
    "start_report_back": gettext_lazy("Visar att nämnden arbetar med redovisningen till myndigheten. Det sker "
                                      "också av sig självt när det första kravet redovisas."),
    "close": gettext_lazy("När myndigheten har meddelat att ärendet är avslutat."),
}
# Labels of the log entries that are not transitions of the models.
LOG_LABELS = {"create": gettext_lazy("Registrerat"), "update": gettext_lazy("Ändrat")}


def _private(response: HttpResponse) -> HttpResponse:
    # Socialtjänstsekretess: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def days_left_text(due: datetime.date, today: datetime.date) -> str:
    """"om 5 dagar", "i dag", "3 dagar sen": the deadline in words, never in colour alone."""
    days = (due - today).days
    if days == 0:
        return _("i dag")
    if days == 1:
        return _("i morgon")
    if days > 0:
        return ngettext("om %(n)s dag", "om %(n)s dagar", days) % {"n": days}
    return ngettext("%(n)s dag sen", "%(n)s dagar sen", -days) % {"n": -days}


# ---------------------------------------------------------------- the list

def _open_requirements():
    return Requirement.objects.filter(decision=OuterRef("pk"), status=ReqStatus.OPEN)


@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    """Decisions in the user's scope, the nearest report-back date first."""
    user = request.user
    units = units_in_scope(user, VIEWER_ROLES).filter(is_active=True).order_by("path")
    form = DecisionFilterForm(request.GET or None, units=units)
    if not form.is_bound:
        form.initial = {"status": "open"}
    filters = form.filters()
    qs = decision_filter(decisions_for_user(user), status=filters["status"], authority=filters["authority"],
                         unit=filters["unit"])
    if filters["outcome"] == "none":
        qs = qs.filter(outcome="")
    elif filters["outcome"]:
        qs = qs.filter(outcome=filters["outcome"])
    if filters["due_before"]:
        qs = qs.filter(Exists(_open_requirements().filter(due_date__lt=filters["due_before"])))
    if filters["q"]:
        qs = qs.filter(Q(reference__icontains=filters["q"]) | Q(subject__icontains=filters["q"]))
    qs = qs.annotate(
        next_due=Subquery(_open_requirements().order_by("due_date").values("due_date")[:1]),
        open_count=Coalesce(Subquery(_open_requirements().order_by().values("decision")
                                     .annotate(n=Count("pk")).values("n")[:1]), Value(0),
                            output_field=IntegerField()),
    ).order_by(F("next_due").asc(nulls_last=True), "-received_on", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [{"decision": d, "overdue": bool(d.next_due and d.next_due < today),
             "days_left": days_left_text(d.next_due, today) if d.next_due else ""} for d in page.object_list]
    filtered = any(v for k, v in filters.items() if k != "status") or filters["status"] != "open"
    return render(request, "supervision/decision_list.html", {
        "form": form, "page": page, "rows": rows, "filtered": filtered,
        "can_record": recording_units(user).exists(),
    })


def _week_label(monday: datetime.date) -> str:
    sunday = monday + datetime.timedelta(days=6)
    week = monday.isocalendar().week
    if monday.month == sunday.month:
        span = f"{monday.day}–{sunday.day} {dateformat.format(sunday, 'F')}"
    else:
        span = f"{monday.day} {dateformat.format(monday, 'F')} – {sunday.day} {dateformat.format(sunday, 'F')}"
    return _("Vecka %(week)s (%(span)s)") % {"week": week, "span": span}


def _month_label(day: datetime.date) -> str:
    label = dateformat.format(day, "F Y")
    return label[:1].upper() + label[1:]


@login_required
def upcoming(request: HttpRequest) -> HttpResponse:
    """"Kommande redovisningar": open requirements and unanswered statement requests by month and
    week, overdue ones first, each with the days left in words."""
    user = request.user
    try:
        days = int(request.GET.get("dagar", 60))
    except ValueError:
        days = 60
    if days not in UPCOMING_DAYS:
        days = 60
    today = timezone.localdate()
    until = today + datetime.timedelta(days=days)
    items = []
    for requirement in upcoming_report_backs(user, days=days, today=today)[:UPCOMING_LIMIT]:
        items.append({"kind": "requirement", "date": requirement.due_date, "decision": requirement.decision,
                      "text": requirement.text, "process": requirement.process, "obj": requirement,
                      "url": requirement.get_absolute_url()})
    for statement in statement_requests_due(user).filter(due_date__lte=until)[:UPCOMING_LIMIT]:
        items.append({"kind": "statement", "date": statement.due_date, "decision": statement.decision,
                      "text": statement.description, "process": None, "obj": statement,
                      "url": statement.decision.get_absolute_url() + f"#yttrande-{statement.pk}"})
    items.sort(key=lambda i: (i["date"], i["kind"] != "statement", i["obj"].pk))
    for item in items:
        item["overdue"] = item["date"] < today
        item["days_left"] = days_left_text(item["date"], today)
    overdue = [i for i in items if i["overdue"]]
    months: list[dict] = []
    for item in (i for i in items if not i["overdue"]):
        month = _month_label(item["date"])
        if not months or months[-1]["label"] != month:
            months.append({"label": month, "weeks": []})
        monday = item["date"] - datetime.timedelta(days=item["date"].weekday())
        weeks = months[-1]["weeks"]
        if not weeks or weeks[-1]["monday"] != monday:
            weeks.append({"monday": monday, "label": _week_label(monday), "items": [],
                          "this_week": monday <= today < monday + datetime.timedelta(days=7)})
        weeks[-1]["items"].append(item)
    return render(request, "supervision/upcoming.html", {
        "overdue": overdue, "months": months, "days": days, "day_choices": UPCOMING_DAYS, "today": today,
        "count": len(items), "limited": len(items) >= UPCOMING_LIMIT,
        "sees_decisions": bool(items) or user_has_role(user, VIEWER_ROLES),
    })


# ---------------------------------------------------------------- create and edit

def _add_service_errors(form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _refused(form, exc: ApplicationError) -> None:
    """The service's Swedish message first, then each missing field marked where it is filled in."""
    form.add_error(None, exc.message)
    for field in exc.missing:
        if field in form.fields and field not in form.errors:
            form.add_error(field, _("Saknas."))


def _decision_fields(form: DecisionForm) -> dict:
    data = dict(form.cleaned_data)
    data["outcome"] = data.get("outcome") or ""
    data["summary"] = data.get("summary") or ""
    data["processes"] = list(data.get("processes") or [])
    if not data.get("document"):
        data.pop("document", None)
    return data


def _decision_form_page(request, form, decision=None, status=200) -> HttpResponse:
    return render(request, "supervision/decision_form.html", {"form": form, "decision": decision}, status=status)


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    """"Registrera beslut": a decision or case from IVO, JO, a court or the auditors."""
    user = request.user
    if not recording_units(user).exists():
        raise PermissionDenied
    initial = {}
    if request.method == "GET":
        initial = {k: request.GET.get(k) for k in ("unit", "deviation") if request.GET.get(k)}
        if request.GET.getlist("processes"):
            initial["processes"] = request.GET.getlist("processes")
    form = DecisionForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.htmx and request.method == "GET":
        return render(request, "supervision/_unit_choices.html", {"form": form})
    if request.method != "POST":
        return _decision_form_page(request, form)
    if not form.is_valid():
        return _decision_form_page(request, form, status=400)
    try:
        decision = services.decision_create(actor=user, **_decision_fields(form))
    except services.SupervisionValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _decision_form_page(request, form, status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _decision_form_page(request, form, status=409)
    messages.success(request, _("%(decision)s är registrerat. Lägg in kraven i beslutet med datum för "
                                "redovisning.") % {"decision": decision}
                     if decision.status == Status.DECIDED
                     else _("%(decision)s är registrerat.") % {"decision": decision})
    return redirect(decision)


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Ändra the decision's facts; the status changes only through its steps."""
    user = request.user
    decision = decision_get_for_user(user, pk)
    if not records_decision(user, decision):
        raise PermissionDenied
    if request.htmx and request.method == "GET":
        initial = {k: request.GET.get(k) for k in ("unit", "deviation")}
        initial["processes"] = request.GET.getlist("processes")
        return render(request, "supervision/_unit_choices.html",
                      {"form": DecisionForm(user=user, decision=decision, initial=initial)})
    if decision.status == Status.CLOSED:
        messages.warning(request, _("Ärendet är avslutat och kan inte längre ändras."))
        return redirect(decision)
    form = DecisionForm(request.POST or None, request.FILES or None, user=user, decision=decision)
    if request.method != "POST":
        return _decision_form_page(request, form, decision)
    if not form.is_valid():
        return _decision_form_page(request, form, decision, status=400)
    try:
        services.decision_update(decision=decision, actor=user, **_decision_fields(form))
    except services.SupervisionValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _decision_form_page(request, form, decision_get_for_user(user, pk), status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _decision_form_page(request, form, decision_get_for_user(user, pk), status=409)
    messages.success(request, _("Ändringarna i %(decision)s är sparade.") % {"decision": decision})
    return redirect(decision)


# ---------------------------------------------------------------- the decision page

def _main_road(decision: SupervisionDecision, statements: list) -> list:
    road = [Status.RECEIVED]
    if decision.status == Status.RESPONDING or statements:
        road.append(Status.RESPONDING)
    return [*road, Status.DECIDED, Status.REPORTING_BACK, Status.CLOSED]


def _progress(decision: SupervisionDecision, statements: list) -> list[dict]:
    road = _main_road(decision, statements)
    current = road.index(decision.status)
    labels = dict(Status.choices)
    finished = decision.status == Status.CLOSED
    return [{"label": labels[s], "done": i < current or finished, "current": i == current and not finished}
            for i, s in enumerate(road)]


def _actions_by_requirement(requirements: list[Requirement]) -> dict[int, list[Action]]:
    """Every action of the decision's requirements in one query."""
    if not requirements:
        return {}
    by_requirement: dict[int, list[Action]] = {}
    for action in (Action.objects.filter(source_content_type=ContentType.objects.get_for_model(Requirement),
                                         source_id__in=[r.pk for r in requirements])
                   .select_related("responsible").order_by("due_date", "pk")):
        by_requirement.setdefault(action.source_id, []).append(action)
    return by_requirement


def _risks_by_requirement(user, requirements: list[Requirement]) -> dict[int, list]:
    """The risks raised from the requirements that the user may see, in one query."""
    if not requirements:
        return {}
    by_requirement: dict[int, list] = {}
    qs = risks_with_level(risk_list_for_user(user).filter(
        source_content_type=ContentType.objects.get_for_model(Requirement),
        source_id__in=[r.pk for r in requirements])).select_related("analysis").order_by("-analysis__year", "pk")
    for risk in qs:
        risk.level_label = Level(risk.risk_level).label
        by_requirement.setdefault(risk.source_id, []).append(risk)
    return by_requirement


def _log_entries(decision: SupervisionDecision, requirements: list[Requirement]) -> list[dict]:
    """The case's log: its own steps and its requirements', newest last, in one query."""
    decision_type = ContentType.objects.get_for_model(SupervisionDecision)
    requirement_type = ContentType.objects.get_for_model(Requirement)
    numbers = {r.pk: i for i, r in enumerate(requirements, start=1)}
    entries = Transition.objects.filter(
        Q(content_type=decision_type, object_id=decision.pk)
        | Q(content_type=requirement_type, object_id__in=list(numbers))
    ).select_related("by").order_by("at", "pk")
    decision_status = dict(Status.choices)
    requirement_status = dict(ReqStatus.choices)
    sample = Requirement(decision=decision)
    log = []
    for entry in entries:
        is_decision = entry.content_type_id == decision_type.pk
        statuses = decision_status if is_decision else requirement_status
        label = LOG_LABELS.get(entry.name) or transition_label(decision if is_decision else sample, entry.name)
        subject = "" if is_decision else _("Krav %(n)s") % {"n": numbers.get(entry.object_id, "?")}
        log.append({"entry": entry, "label": label, "subject": subject,
                    "source_label": statuses.get(entry.source, entry.source),
                    "target_label": statuses.get(entry.target, entry.target),
                    "by": entry.by.full_name if entry.by else _("Systemet")})
    return log


def _transitions(request, decision: SupervisionDecision, bound: dict) -> tuple[list[dict], list[dict]]:
    """The steps the user may take now (forms), and those they could take but for a rule."""
    user = request.user
    items, blocked = [], []
    for name in DECISION_TRANSITION_NAMES:
        if name == "request_statement":
            continue  # recorded in the statements section, also while responding
        fsm_transition = getattr(type(decision), name)._django_fsm.get_transition(decision.status)
        allowed = fsm_transition is not None and fsm_transition.has_perm(decision, user)
        if not allowed and name not in bound:
            continue
        reasons = [str(g.message) for g in transition_failed_guards(decision, name) if not g.from_input]
        if reasons and name not in bound:
            blocked.append({"label": transition_label(decision, name), "reasons": reasons})
            continue
        items.append({"name": name, "label": transition_label(decision, name),
                      "form": bound.get(name) or TRANSITION_FORMS[name](prefix=name),
                      "help": TRANSITION_HELP.get(name, "")})
    return items, blocked


def _requirement_rows(request, decision, requirements, bound: dict, can_record: bool, today) -> list[dict]:
    user = request.user
    actions = _actions_by_requirement(requirements)
    risks = _risks_by_requirement(user, requirements)
    source = action_source("requirement")
    # As risks.raise_views decides: the unit's managers raise, once per analysis year.
    may_raise = decision.status != Status.CLOSED and manages_decision_unit(user, decision)
    people: list | None = None  # the action forms' "responsible" choices, read once for every row
    rows = []
    for number, requirement in enumerate(requirements, start=1):
        requirement.decision = decision
        pk = requirement.pk
        is_open = requirement.status == ReqStatus.OPEN
        can_add_action = bool(source and source.can_add(user, requirement))
        action_key = f"action-{pk}"
        action_form = bound.get(action_key)
        if action_form is None and can_add_action:
            action_form = ActionForm(unit=decision.unit, auto_id=f"krav{pk}-%s")
            if people is None:
                people = list(action_form.fields["responsible"].choices)
            action_form.fields["responsible"].choices = people
        row = {
            "requirement": requirement, "number": number,
            "days_left": days_left_text(requirement.due_date, today) if is_open else "",
            "overdue": is_open and requirement.due_date < today,
            "actions": actions.get(pk, []),
            "risks": risks.get(pk, []),
            "can_raise": may_raise and not any(r.analysis.year == today.year for r in risks.get(pk, [])),
            "action_form": action_form if can_add_action else None,
            "report_form": None, "accept_form": None, "open_form": "",
        }
        if can_record and is_open and decision.status in (Status.DECIDED, Status.REPORTING_BACK):
            row["report_form"] = bound.get(f"report_back-{pk}") or REQUIREMENT_FORMS["report_back"](
                prefix=f"krav{pk}")
        if can_record and requirement.status == ReqStatus.REPORTED:
            row["accept_form"] = bound.get(f"accept-{pk}") or REQUIREMENT_FORMS["accept"](prefix=f"krav{pk}")
        row["open_form"] = next((key.split("-")[0] for key in (f"report_back-{pk}", f"accept-{pk}", action_key)
                                 if key in bound), "")
        rows.append(row)
    return rows


def _deadlines(decision, statements, requirements, today) -> list[dict]:
    items = []
    for statement in statements:
        if statement.submitted_on is None:
            items.append({"label": _("Yttrande"), "due": statement.due_date, "overdue": statement.due_date < today,
                          "days_left": days_left_text(statement.due_date, today)})
    open_requirements = [r for r in requirements if r.status == ReqStatus.OPEN]
    if open_requirements:
        first = min(r.due_date for r in open_requirements)
        items.append({"label": _("Nästa redovisning"), "due": first, "overdue": first < today,
                      "days_left": days_left_text(first, today)})
    return items


def _detail_context(request, decision: SupervisionDecision, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    today = timezone.localdate()
    requirements = list(requirements_for_decision(decision))
    decision.has_requirements = bool(requirements)
    decision.requirements_settled = all(r.status == ReqStatus.ACCEPTED for r in requirements)
    statements = list(decision.statement_requests.select_related("submitted_by").order_by("due_date", "pk"))
    can_record = records_decision(user, decision)
    transitions, blocked = _transitions(request, decision, bound)
    statement_rows = [{
        "statement": s, "overdue": s.submitted_on is None and s.due_date < today,
        "days_left": days_left_text(s.due_date, today) if s.submitted_on is None else "",
        "form": (bound.get(f"statement-{s.pk}") or StatementSubmitForm(prefix=f"yttrande{s.pk}"))
        if can_record and s.submitted_on is None else None,
    } for s in statements]
    new_statement_form = None
    if can_record and decision.status in (Status.RECEIVED, Status.RESPONDING):
        new_statement_form = bound.get("request_statement") or RequestStatementForm(prefix="request_statement")
    requirement_form = None
    if can_record and decision.status != Status.CLOSED:
        requirement_form = bound.get("requirement") or RequirementForm(decision=decision, prefix="krav-ny")
    deviation = decision.deviation
    failed = next((form for form in bound.values() if form.errors), None)
    accepted = sum(1 for r in requirements if r.status == ReqStatus.ACCEPTED)
    requirement_rows = _requirement_rows(request, decision, requirements, bound, can_record, today)
    next_row = next((row for row in requirement_rows if row["requirement"].status == ReqStatus.OPEN), None)
    return {
        "decision": decision,
        "can_record": can_record,
        "can_edit": can_record and decision.status != Status.CLOSED,
        "is_closed": decision.status == Status.CLOSED,
        "ask_for_requirements": can_record and decision.status == Status.DECIDED and not requirements,
        "show_accepted_count": decision.status == Status.REPORTING_BACK,
        "progress": _progress(decision, statements),
        "deadlines": _deadlines(decision, statements, requirements, today),
        "processes": list(decision.processes.select_related("unit").order_by("unit__path", "name")),
        "deviation": deviation,
        "can_view_deviation": deviation is not None and can_view_deviation(user, deviation),
        "transitions": transitions,
        "blocked": blocked,
        "statement_rows": statement_rows,
        "new_statement_form": new_statement_form,
        "open_new_statement": "request_statement" in bound,
        "requirement_rows": requirement_rows,
        "next_row": next_row if decision.status in (Status.DECIDED, Status.REPORTING_BACK) else None,
        "requirement_form": requirement_form,
        "accepted_count": accepted,
        "requirement_count": len(requirements),
        "show_letter": bool(requirements),
        "log": _log_entries(decision, requirements),
        "failed_form": failed,
        "today": today,
    }


def _render_detail(request, decision, bound: dict | None = None, status: int = 200) -> HttpResponse:
    return render(request, "supervision/decision_detail.html", _detail_context(request, decision, bound),
                  status=status)


def _reload(request, decision) -> SupervisionDecision:
    # A refused service may have set fields on the instance; show what is stored.
    return decision_get_for_user(request.user, decision.pk)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_get_for_user(request.user, pk)
    return _render_detail(request, decision)


def _require_recorder(request, decision) -> None:
    """403 for someone who sees the case but may not act on it (checked before any input is read)."""
    if not records_decision(request.user, decision):
        raise PermissionDenied


def _run(request, decision, key: str, form, call, message: str, anchor: str = "") -> HttpResponse:
    """Validate `form`, run the service `call(data)`, and redirect or re-render the page."""
    if not form.is_valid():
        return _render_detail(request, decision, {key: form}, status=400)
    try:
        call(form.cleaned_data)
    except services.SupervisionValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, _reload(request, decision), {key: form}, status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _render_detail(request, _reload(request, decision), {key: form}, status=409)
    messages.success(request, message() if callable(message) else message)
    return redirect(decision.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _transition_call(name: str, decision, actor):
    def call(data):
        if name == "request_statement":
            services.decision_request_statement(decision=decision, actor=actor, **data)
        elif name == "record_decision":
            services.decision_record(decision=decision, actor=actor, decided_on=data["decided_on"],
                                     outcome=data["outcome"], summary=data["summary"] or None)
        elif name == "start_report_back":
            services.decision_start_report_back(decision=decision, actor=actor)
        else:
            services.decision_close(decision=decision, actor=actor, closed_on=data["closed_on"])
    return call


@login_required
@require_POST
def decision_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One POST per step of the case; a refusal re-renders the page with what was typed."""
    decision = decision_get_for_user(request.user, pk)
    if name not in DECISION_TRANSITION_NAMES:
        raise Http404
    _require_recorder(request, decision)
    form = TRANSITION_FORMS.get(name, RequestStatementForm)(request.POST, prefix=name)

    def message():
        if name == "request_statement":
            return DONE_MESSAGES[name] % {"date": form.cleaned_data["due_date"].isoformat()}
        if name == "record_decision":
            return DONE_MESSAGES[name] % {"outcome": decision.get_outcome_display()}
        return str(DONE_MESSAGES[name])

    anchor = "yttranden" if name == "request_statement" else ""
    return _run(request, decision, name, form, _transition_call(name, decision, request.user), message, anchor)


@login_required
@require_POST
def statement_submit(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    """"Yttrande skickat": the nämnd's statement went to the authority."""
    decision = decision_get_for_user(request.user, pk)
    statement = get_object_or_404(StatementRequest, decision=decision, pk=statement_pk)
    statement.decision = decision
    _require_recorder(request, decision)
    form = StatementSubmitForm(request.POST, prefix=f"yttrande{statement.pk}")
    return _run(request, decision, f"statement-{statement.pk}", form,
                lambda data: services.statement_submit(statement=statement, actor=request.user, **data),
                _("Yttrandet är registrerat som skickat."), f"yttrande-{statement.pk}")


@login_required
@require_POST
def requirement_add(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_get_for_user(request.user, pk)
    _require_recorder(request, decision)
    form = RequirementForm(request.POST, decision=decision, prefix="krav-ny")
    return _run(request, decision, "requirement", form,
                lambda data: services.requirement_add(decision=decision, actor=request.user, **data),
                _("Kravet är tillagt."), "krav")


def _requirement_of(decision, requirement_pk) -> Requirement:
    requirement = get_object_or_404(Requirement.objects.select_related("process"), decision=decision,
                                    pk=requirement_pk)
    requirement.decision = decision
    return requirement


@login_required
@require_POST
def requirement_transition(request: HttpRequest, pk: int, requirement_pk: int, name: str) -> HttpResponse:
    """Redovisa a requirement (date, summary, file) or record that the authority accepted it."""
    decision = decision_get_for_user(request.user, pk)
    requirement = _requirement_of(decision, requirement_pk)
    if name not in REQUIREMENT_FORMS:
        raise Http404
    _require_recorder(request, decision)
    prefix = f"krav{requirement.pk}"
    anchor = f"krav-{requirement.pk}"
    if name == "report_back":
        form = REQUIREMENT_FORMS[name](request.POST, request.FILES, prefix=prefix)
        return _run(request, decision, f"report_back-{requirement.pk}", form,
                    lambda data: services.requirement_report_back(requirement=requirement, actor=request.user,
                                                                  reported_on=data["reported_on"],
                                                                  summary=data["summary"],
                                                                  document=data["document"] or None),
                    _("Redovisningen av kravet är registrerad."), anchor)
    form = REQUIREMENT_FORMS[name](request.POST, prefix=prefix)
    return _run(request, decision, f"accept-{requirement.pk}", form,
                lambda data: services.requirement_accept(requirement=requirement, actor=request.user, **data),
                _("Kravet är godtaget av myndigheten."), anchor)


@login_required
@require_POST
def requirement_action_add(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    """An action on a requirement, added from the decision page; a refusal re-renders the page
    with the form open and what was typed (the actions app's own form works too)."""
    decision = decision_get_for_user(request.user, pk)
    requirement = _requirement_of(decision, requirement_pk)
    source = action_source("requirement")
    if source is None or not source.can_add(request.user, requirement):
        raise PermissionDenied
    key = f"action-{requirement.pk}"
    form = ActionForm(request.POST, unit=decision.unit, auto_id=f"krav{requirement.pk}-%s")
    if not form.is_valid():
        return _render_detail(request, decision, {key: form}, status=400)
    try:
        action_services.action_create(source_obj=requirement, actor=request.user, **form.cleaned_data)
    except action_services.ActionValidationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_detail(request, _reload(request, decision), {key: form}, status=400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _render_detail(request, _reload(request, decision), {key: form}, status=409)
    messages.success(request, _("Åtgärden är tillagd till krav %(n)s.") % {
        "n": _requirement_number(decision, requirement)})
    return redirect(f"{decision.get_absolute_url()}#krav-{requirement.pk}")


def _requirement_number(decision, requirement) -> int:
    """The requirement's number on the page (by report-back date, as listed)."""
    pks = list(requirements_for_decision(decision).values_list("pk", flat=True))
    return pks.index(requirement.pk) + 1 if requirement.pk in pks else 0


# ---------------------------------------------------------------- files

EXTENSIONS = {
    "application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


def _file_response(field, filename: str, *, name_only: bool = False) -> FileResponse:
    """The stored file as a download. Its content decides the type, never the name the user gave
    it (a PDF uploaded as "beslut.html" is still served as a PDF); `name_only` means `filename`
    has no extension yet (stored files carry random names)."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    try:
        content_type = upload_check(handle)
    except ValidationError:
        content_type = "application/octet-stream"
    handle.seek(0)
    if name_only:
        filename += EXTENSIONS.get(content_type, "")
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    return _private(response)


@login_required
def decision_document(request: HttpRequest, pk: int) -> FileResponse:
    """The decision's file under its original name, for those who see the case (404 otherwise)."""
    decision = decision_get_for_user(request.user, pk)
    return _file_response(decision.document, decision.document_name or _("beslut"))


@login_required
def requirement_document(request: HttpRequest, pk: int, requirement_pk: int) -> FileResponse:
    """The file sent with a requirement's report, for those who see the case."""
    decision = decision_get_for_user(request.user, pk)
    requirement = _requirement_of(decision, requirement_pk)
    name = _("redovisning-krav-%(n)s-%(ref)s") % {"n": requirement.pk, "ref": slugify(decision.reference)}
    return _file_response(requirement.report_document, name, name_only=True)
