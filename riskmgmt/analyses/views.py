"""The händelseanalys workspace: the list, the commission form, the one-page workspace (commission,
timeline, why-chains, report texts, proposed actions, decision and follow-up) and its transitions.

Every view is parse → access gate → service → render or redirect. With htmx the timeline, the
why-chains and the report texts swap in place; without JavaScript each form posts and redirects
back to its section. A refused request re-renders with what was typed: 400 for bad input, 409 when
a rule of the analysis stops it, 403 when the user may not do it at all, 404 outside the scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from riskmgmt.actions import services as action_services
from riskmgmt.actions.forms import ActionForm
from riskmgmt.actions.models import Action
from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.actions.sources import action_source_for_model
from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.fsm import transition_failed_guards, transition_label, transition_log_entries
from riskmgmt.deviations.rules import can_view_deviation
from riskmgmt.deviations.selectors import deviation_get_for_user
from riskmgmt.organisation.selectors import units_in_scope

from . import services
from .forms import (
    COMMISSION_ROLES,
    TRANSITION_FORMS,
    AnalysisCreateForm,
    CauseForm,
    ReportForm,
    TimelineEntryForm,
)
from .models import TRANSITION_NAMES, Cause, CauseArea, EventAnalysis, TeamMember
from .rules import can_commission_for_unit, can_work_on, is_commissioner, is_lead
from .selectors import analysis_get_for_user, analysis_list_for_user, cause_tree

Status = EventAnalysis.Status
PAGE_SIZE = 50
# The main road, for the progress line at the top of the workspace.
MAIN_ROAD = (Status.COMMISSIONED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED, Status.ACTIONS_DECIDED,
             Status.FOLLOWED_UP)
STATUS_FILTERS = [("open", gettext_lazy("Pågående")), ("closed", gettext_lazy("Avslutade och avbrutna")),
                  ("all", gettext_lazy("Alla"))]
DONE_MESSAGES = {
    "start": gettext_lazy("%(ref)s är startad. Teamet kan arbeta i analysen."),
    "submit_report": gettext_lazy("Rapporten är lämnad till %(commissioner)s. Analysen kan inte längre ändras."),
    "decide_actions": gettext_lazy("Åtgärderna i %(ref)s är beslutade."),
    "record_follow_up": gettext_lazy("Uppföljningen är registrerad. %(ref)s är klar."),
    "cancel": gettext_lazy("%(ref)s är avbruten."),
}
# Workspace sections that swap in place with htmx: template and the anchor a redirect returns to.
SECTIONS = {
    "timeline": ("analyses/_timeline.html", "tidslinje"),
    "causes": ("analyses/_why_chain.html", "orsaker"),
    "report": ("analyses/_report_texts.html", "rapporttexter"),
}


# ---------------------------------------------------------------- list and commission

def _can_commission(user) -> bool:
    return units_in_scope(user, COMMISSION_ROLES).filter(is_active=True).exists()


@login_required
def analysis_list(request: HttpRequest) -> HttpResponse:
    """Analyses in the user's scope: open ones by nearest report date, so overdue ones lead."""
    status = request.GET.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    qs = analysis_list_for_user(request.user)
    if status == "open":
        qs = qs.filter(status__in=EventAnalysis.OPEN_STATUSES).order_by("due_date", "pk")
    else:
        if status == "closed":
            qs = qs.exclude(status__in=EventAnalysis.OPEN_STATUSES)
        open_first = Case(When(status__in=EventAnalysis.OPEN_STATUSES, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
        qs = qs.annotate(open_first=open_first).order_by("open_first", "-created", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    in_team = set(TeamMember.objects.filter(user=request.user, analysis__in=[a.pk for a in page.object_list])
                  .values_list("analysis_id", flat=True))
    rows = []
    for analysis in page.object_list:
        roles = []
        if analysis.commissioner_id == request.user.pk:
            roles.append(_("Uppdragsgivare"))
        if analysis.lead_id == request.user.pk:
            roles.append(_("Analysledare"))
        if analysis.pk in in_team:
            roles.append(_("Deltagare"))
        rows.append({"analysis": analysis, "roles": roles})
    return render(request, "analyses/analysis_list.html", {
        "page": page, "rows": rows, "status": status, "status_filters": STATUS_FILTERS,
        "can_commission": _can_commission(request.user),
    })


def _add_service_errors(form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


@login_required
def analysis_create(request: HttpRequest) -> HttpResponse:
    """Beställ händelseanalys, optionally from a deviation (?deviation=<id>: unit, title, link)."""
    user = request.user
    if not _can_commission(user):
        raise PermissionDenied
    initial = {"commissioner": user.pk}
    deviation = None
    if request.GET.get("deviation"):
        deviation = deviation_get_for_user(user, request.GET["deviation"])
        if not can_commission_for_unit(user, deviation.unit):
            raise PermissionDenied
        initial.update(unit=deviation.unit_id, title=deviation.title, deviations=[deviation.pk])
    if request.method == "GET" and request.GET.get("unit"):
        # htmx asks for the deviations of another unit while the form is filled in.
        initial.update(unit=request.GET["unit"], deviations=request.GET.getlist("deviations"))
    form = AnalysisCreateForm(request.POST or None, user=user, initial=initial)
    if request.htmx and request.method == "GET":
        return render(request, "analyses/_deviation_choices.html", {"form": form})
    status = 200
    if request.method == "POST":
        if "add_row" in request.POST:
            form.keep_typing()  # one more team row; nothing is checked or saved yet
        elif form.is_valid():
            data = form.cleaned_data
            try:
                analysis = services.analysis_create(
                    actor=user, title=data["title"], unit=data["unit"], scope=data["scope"],
                    commissioner=data["commissioner"], lead=data["lead"], deviations=list(data["deviations"]),
                    team=form.team(), due_date=data["due_date"],
                )
            except services.AnalysisValidationError as exc:
                _add_service_errors(form, exc.errors)
                status = 400
            else:
                messages.success(request, _("Händelseanalys %(ref)s är beställd. Analysledaren och teamet har fått "
                                            "besked.") % {"ref": analysis.reference})
                for warning in services.analysis_warnings(analysis):
                    messages.warning(request, warning)
                return redirect(analysis)
        else:
            status = 400
    return render(request, "analyses/analysis_form.html", {"form": form, "deviation": deviation}, status=status)


# ---------------------------------------------------------------- the workspace

def _source():
    return action_source_for_model(EventAnalysis)


def _analysis_actions(analysis) -> list[Action]:
    return list(action_list_for_source(analysis))


def _progress(analysis) -> list[dict] | None:
    if analysis.status not in MAIN_ROAD:
        return None
    current = MAIN_ROAD.index(analysis.status)
    labels = dict(Status.choices)
    finished = analysis.status == Status.FOLLOWED_UP
    return [{"label": labels[s], "done": i < current or finished, "current": i == current}
            for i, s in enumerate(MAIN_ROAD)]


def _readiness(analysis) -> list[dict]:
    """What the report needs before the lead can hand it in (the submit guards, in words).
    Needs the guard facts set (`_context` does that once)."""
    return [
        {"label": _("Tidslinjen har minst en händelse"), "done": analysis.has_timeline, "href": "#tidslinje"},
        {"label": _("Minst en grundorsak med orsaksområde"), "done": analysis.has_root_cause_with_area,
         "href": "#orsaker"},
        {"label": _("Minst en föreslagen åtgärd"), "done": analysis.has_proposed_actions, "href": "#action-panel"},
        {"label": _("Sammanfattningen är skriven"), "done": bool(analysis.summary.strip()),
         "href": "#rapporttexter"},
    ]


def _base_context(request, analysis) -> dict:
    user = request.user
    member = can_work_on(user, analysis)
    can_edit = member and analysis.status in services.EDITABLE_STATUSES
    return {
        "analysis": analysis,
        "is_member": member,
        "can_edit": can_edit,
        "can_submit": analysis.status == Status.IN_PROGRESS and is_lead(user, analysis),
        "show_readiness": member and analysis.status in services.EDITABLE_STATUSES,
    }


def _timeline_context(analysis, can_edit: bool, bound: dict) -> dict:
    rows = []
    for entry in analysis.timeline.all():
        prefix = f"entry-{entry.pk}"
        form = bound.get(prefix) or (TimelineEntryForm.for_entry(entry, prefix=prefix) if can_edit else None)
        rows.append({"entry": entry, "form": form, "open": prefix in bound,
                     "delete_form": bound.get(f"delete-{prefix}")})
    new = bound.get("entry-new") or (TimelineEntryForm(prefix="entry-new") if can_edit else None)
    return {"timeline_rows": rows, "timeline_form": new}


def _actions_by_cause(actions: list[Action]) -> dict[int, list[Action]]:
    cause_type = ContentType.objects.get_for_model(Cause)
    linked: dict[int, list[Action]] = {}
    for action in actions:
        if action.addresses_content_type_id == cause_type.pk:
            linked.setdefault(action.addresses_id, []).append(action)
    return linked


def _area_choices() -> list[tuple]:
    return [(a.code, a.name) for a in CauseArea.objects.filter(is_active=True)]


def _parent_choices(tree: list[dict]) -> list[tuple]:
    choices = []

    def walk(nodes):
        for node in nodes:
            text = node["cause"].text
            label = "\u2013 " * node["depth"] + (text if len(text) <= 70 else text[:69] + "…")
            choices.append((str(node["cause"].pk), label))
            walk(node["children"])

    walk(tree)
    return choices


def _causes_context(request, analysis, can_edit: bool, bound: dict, actions: list[Action]) -> dict:
    tree = cause_tree(analysis)
    linked = _actions_by_cause(actions)
    can_add_action = _source().can_add(request.user, analysis)
    area_choices = _area_choices()
    parent_choices = _parent_choices(tree)

    def decorate(nodes):
        for node in nodes:
            cause = node["cause"]
            pk = cause.pk
            node["actions"] = linked.get(pk, [])
            node["area_names"] = [a.name for a in cause.cause_areas.all()]
            node["has_children"] = bool(node["children"])
            if can_edit:
                node["why_form"] = bound.get(f"why-{pk}") or CauseForm(area_choices=area_choices,
                                                                      prefix=f"why-{pk}")
                node["edit_form"] = bound.get(f"cause-{pk}") or CauseForm.for_cause(
                    cause, area_choices=area_choices, parent_choices=parent_choices, prefix=f"cause-{pk}")
                node["delete_form"] = bound.get(f"delete-{pk}")
            if cause.is_root and can_add_action:
                node["action_form"] = bound.get(f"action-{pk}") or ActionForm(unit=analysis.unit,
                                                                              prefix=f"action-{pk}")
            node["open"] = next((key.split("-")[0] for key in (f"why-{pk}", f"cause-{pk}", f"action-{pk}")
                                 if key in bound), "")
            decorate(node["children"])

    decorate(tree)
    new = bound.get("cause-new") or (CauseForm(area_choices=area_choices, prefix="cause-new") if can_edit else None)
    return {"tree": tree, "cause_form": new, "can_add_action": can_add_action}


def _transitions(request, analysis, bound: dict) -> list[dict]:
    """The steps the user may take from this status, each with what still stops it."""
    user = request.user
    items = []
    for name in TRANSITION_NAMES:
        fsm_transition = getattr(type(analysis), name)._django_fsm.get_transition(analysis.status)
        allowed = fsm_transition is not None and fsm_transition.has_perm(analysis, user)
        # A refused form stays on the page even when its step is gone, so nothing typed is lost.
        if not allowed and name not in bound:
            continue
        blocked = [str(g.message) for g in transition_failed_guards(analysis, name) if not g.from_input]
        form = None
        if name in TRANSITION_FORMS:
            form = bound.get(name) or TRANSITION_FORMS[name](prefix=name)
        items.append({"name": name, "label": transition_label(analysis, name), "form": form, "blocked": blocked,
                      "secondary": name == "cancel"})
    return items


def _decision_context(analysis, actions: list[Action], tree: list[dict]) -> dict:
    proposed = [a for a in actions if a.status != Action.Status.CANCELLED]
    linked = _actions_by_cause(proposed)
    roots = []

    def walk(nodes):
        for node in nodes:
            if node["cause"].is_root:
                roots.append(node["cause"])
            walk(node["children"])

    walk(tree)
    return {
        "proposed_actions": proposed,
        "all_weak": bool(proposed) and all(a.strength == Action.Strength.WEAK for a in proposed),
        "strength_counts": [(label, sum(1 for a in proposed if a.strength == value))
                            for value, label in Action.Strength.choices],
        "roots": roots,
        "roots_without_action": [c for c in roots if c.pk not in linked],
        "not_evaluated": [a for a in proposed if a.status != Action.Status.EVALUATED],
    }


def _deviations(request, analysis) -> list[dict]:
    return [{"deviation": d, "can_view": can_view_deviation(request.user, d)}
            for d in analysis.deviations.select_related("unit", "reporter").order_by("pk")]


def _context(request, analysis, bound: dict | None = None) -> dict:
    bound = bound or {}
    # The guards' facts (timeline, root cause, actions) take queries: once per page.
    services._set_guard_facts(analysis)
    context = _base_context(request, analysis)
    can_edit = context["can_edit"]
    actions = _analysis_actions(analysis)
    context.update(_timeline_context(analysis, can_edit, bound))
    context.update(_causes_context(request, analysis, can_edit, bound, actions))
    context.update(_decision_context(analysis, actions, context["tree"]))
    context.update({
        "report_form": bound.get("report") or (ReportForm.for_analysis(analysis) if can_edit else None),
        "report_open": "report" in bound,
        "transitions": _transitions(request, analysis, bound),
        "readiness": _readiness(analysis) if context["show_readiness"] else None,
        "progress": _progress(analysis),
        "team": list(analysis.team.select_related("user").order_by("pk")),
        "deviations": _deviations(request, analysis),
        "warnings": services.analysis_warnings(analysis) if analysis.status in services.EDITABLE_STATUSES else [],
        "is_commissioner": is_commissioner(request.user, analysis),
        "log": transition_log_entries(analysis),
        "today": timezone.localdate(),
    })
    return context


def _render(request, analysis, bound: dict | None = None, status: int = 200) -> HttpResponse:
    return render(request, "analyses/analysis_detail.html", _context(request, analysis, bound), status=status)


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    return _render(request, analysis)


def _reload(request, analysis) -> EventAnalysis:
    # A refused service may have set fields on the instance; show what is stored.
    return analysis_get_for_user(request.user, analysis.pk)


def _section(request, analysis, section: str, bound: dict | None = None, status: int = 200,
             message: str = "") -> HttpResponse:
    """One section of the workspace for htmx, with the readiness list and the live region out of band."""
    template, _anchor = SECTIONS[section]
    context = _context(request, analysis, bound)
    context.update({"oob": True, "status_message": message})
    return render(request, template, context, status=status)


def _back(request, analysis, section: str) -> HttpResponse:
    """GET on a form's URL: the section (htmx) or the workspace at the section."""
    if request.htmx:
        return _section(request, analysis, section)
    return redirect(f"{analysis.get_absolute_url()}#{SECTIONS[section][1]}")


def _done(request, analysis, section: str, message: str, anchor: str = "") -> HttpResponse:
    if request.htmx:
        return _section(request, analysis, section, message=message)
    messages.success(request, message)
    return redirect(f"{analysis.get_absolute_url()}#{anchor or SECTIONS[section][1]}")


def _refused(request, analysis, section: str, bound: dict, status: int) -> HttpResponse:
    analysis = _reload(request, analysis)
    if request.htmx:
        return _section(request, analysis, section, bound, status=status)
    return _render(request, analysis, bound, status=status)


def _require_work(request, analysis) -> None:
    """The lead and the team edit; everyone else in scope reads (403, before any input is read)."""
    if not can_work_on(request.user, analysis):
        raise PermissionDenied


def _save(request, analysis, section: str, key: str, form, call, message: str, anchor: str = "") -> HttpResponse:
    """Validate `form`, run the service `call(data)`, and answer as the section expects."""
    if not form.is_valid():
        return _refused(request, analysis, section, {key: form}, 400)
    try:
        call(form.cleaned_data)
    except services.AnalysisValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _refused(request, analysis, section, {key: form}, 400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _refused(request, analysis, section, {key: form}, 409)
    return _done(request, analysis, section, message, anchor)


# ---------------------------------------------------------------- timeline

@login_required
def timeline_entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    if request.method != "POST":
        return _back(request, analysis, "timeline")
    _require_work(request, analysis)
    form = TimelineEntryForm(request.POST, prefix="entry-new")
    return _save(request, analysis, "timeline", "entry-new", form,
                 lambda data: services.timeline_entry_save(analysis=analysis, actor=request.user, **data),
                 _("Händelsen är tillagd i tidslinjen."))


@login_required
def timeline_entry_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    entry = get_object_or_404(analysis.timeline, pk=entry_pk)
    if request.method != "POST":
        return _back(request, analysis, "timeline")
    _require_work(request, analysis)
    prefix = f"entry-{entry.pk}"
    form = TimelineEntryForm(request.POST, prefix=prefix)
    return _save(request, analysis, "timeline", prefix, form,
                 lambda data: services.timeline_entry_save(analysis=analysis, actor=request.user, entry=entry,
                                                           **data),
                 _("Händelsen i tidslinjen är ändrad."))


def _delete_refusal(message: str) -> Form:
    form = Form(data={})
    form.add_error(None, message)
    return form


@login_required
@require_POST
def timeline_entry_delete(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    analysis = analysis_get_for_user(request.user, pk)
    entry = get_object_or_404(analysis.timeline, pk=entry_pk)
    _require_work(request, analysis)
    entry.analysis = analysis
    try:
        services.timeline_entry_delete(entry=entry, actor=request.user)
    except ApplicationError as exc:
        return _refused(request, analysis, "timeline", {f"delete-entry-{entry.pk}": _delete_refusal(exc.message)},
                        409)
    return _done(request, analysis, "timeline", _("Händelsen är borttagen ur tidslinjen."))


# ---------------------------------------------------------------- why-chains

def _cause_call(request, analysis, *, parent=None, cause=None):
    def call(data):
        parent_obj = parent
        if cause is not None:
            parent_obj = analysis.causes.filter(pk=data["parent"]).first() if data.get("parent") else None
        return services.cause_save(
            analysis=analysis, actor=request.user, text=data["text"], parent=parent_obj,
            is_root=data["is_root"], cause_areas=services.cause_areas_by_code(data["cause_areas"]), cause=cause,
        )
    return call


@login_required
def cause_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A "varför?" under a cause (`parent` posted), or the first link of a new chain."""
    analysis = analysis_get_for_user(request.user, pk)
    if request.method != "POST":
        return _back(request, analysis, "causes")
    _require_work(request, analysis)
    parent = None
    if request.POST.get("parent"):
        parent = analysis.causes.filter(pk=request.POST["parent"]).first() if request.POST["parent"].isdigit() \
            else None
        if parent is None:
            raise Http404
    prefix = f"why-{parent.pk}" if parent else "cause-new"
    form = CauseForm(request.POST, area_choices=_area_choices(), prefix=prefix)
    return _save(request, analysis, "causes", prefix, form, _cause_call(request, analysis, parent=parent),
                 _("Orsaken är tillagd."), anchor=f"orsak-{parent.pk}" if parent else "")


@login_required
def cause_edit(request: HttpRequest, pk: int, cause_pk: int) -> HttpResponse:
    """Edit or move a cause; with form=action, propose an action that addresses it."""
    analysis = analysis_get_for_user(request.user, pk)
    cause = get_object_or_404(analysis.causes, pk=cause_pk)
    if request.method != "POST":
        return _back(request, analysis, "causes")
    if request.POST.get("form") == "action":
        return _cause_action_create(request, analysis, cause)
    _require_work(request, analysis)
    prefix = f"cause-{cause.pk}"
    tree = cause_tree(analysis)
    form = CauseForm(request.POST, area_choices=_area_choices(), parent_choices=_parent_choices(tree), prefix=prefix)
    return _save(request, analysis, "causes", prefix, form, _cause_call(request, analysis, cause=cause),
                 _("Orsaken är ändrad."), anchor=f"orsak-{cause.pk}")


@login_required
@require_POST
def cause_delete(request: HttpRequest, pk: int, cause_pk: int) -> HttpResponse:
    """Refused (409) while the cause has a "varför?" under it or an action addresses it."""
    analysis = analysis_get_for_user(request.user, pk)
    cause = get_object_or_404(analysis.causes, pk=cause_pk)
    _require_work(request, analysis)
    cause.analysis = analysis
    try:
        services.cause_delete(cause=cause, actor=request.user)
    except services.AnalysisValidationError as exc:
        return _refused(request, analysis, "causes", {f"delete-{cause.pk}": _delete_refusal(exc.message)}, 409)
    except ApplicationError as exc:
        return _refused(request, analysis, "causes", {f"delete-{cause.pk}": _delete_refusal(exc.message)}, 409)
    return _done(request, analysis, "causes", _("Orsaken är borttagen."))


def _cause_action_create(request, analysis, cause) -> HttpResponse:
    """Proposes an action that addresses this (root) cause; the whole page reloads, as the action
    panel and the decision summary change with it."""
    if not _source().can_add(request.user, analysis):
        raise PermissionDenied
    key = f"action-{cause.pk}"
    form = ActionForm(request.POST, unit=analysis.unit, prefix=key)
    if form.is_valid():
        try:
            action_services.action_create(source_obj=analysis, actor=request.user, addresses=cause,
                                          **form.cleaned_data)
        except action_services.ActionValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return _render(request, _reload(request, analysis), {key: form}, status=409)
        else:
            messages.success(request, _("Åtgärden är föreslagen och kopplad till grundorsaken."))
            return redirect(f"{analysis.get_absolute_url()}#orsak-{cause.pk}")
    return _render(request, _reload(request, analysis), {key: form}, status=400)


# ---------------------------------------------------------------- report texts and transitions

@login_required
def analysis_save_report(request: HttpRequest, pk: int) -> HttpResponse:
    """"Spara utkast" of the report texts; nothing is handed in."""
    analysis = analysis_get_for_user(request.user, pk)
    if request.method != "POST":
        return _back(request, analysis, "report")
    _require_work(request, analysis)
    form = ReportForm(request.POST, prefix="report")
    saved_at = timezone.localtime().strftime("%H:%M")
    return _save(request, analysis, "report", "report", form,
                 lambda data: services.analysis_save_report(analysis=analysis, actor=request.user, **data),
                 _("Utkastet sparades kl. %(time)s. Rapporten är inte inlämnad.") % {"time": saved_at})


def _require_transition_perm(analysis, name: str, user) -> None:
    """403 when the user may not take this step at all; a wrong status is the service's 409."""
    meta = getattr(type(analysis), name)._django_fsm
    fsm_transition = meta.get_transition(analysis.status)
    candidates = [fsm_transition] if fsm_transition is not None else list(meta.transitions.values())
    if not any(t.has_perm(analysis, user) for t in candidates):
        raise PermissionDenied


def _transition_refused(form, exc: ApplicationError) -> None:
    """The service's Swedish message first, then each missing field marked where it is filled in."""
    form.add_error(None, exc.message)
    for field in exc.missing:
        if field in form.fields and field not in form.errors:
            form.add_error(field, _("Saknas."))


def _run_transition(name: str, analysis, actor, data: dict) -> None:
    if name == "start":
        services.analysis_start(analysis=analysis, actor=actor)
    elif name == "submit_report":
        # The texts are saved first: a refusal (no timeline yet, say) never loses the draft.
        services.analysis_save_report(analysis=analysis, actor=actor, **data)
        services.analysis_submit_report(analysis=analysis, actor=actor, summary=data["summary"],
                                        lessons=data["lessons"])
    elif name == "decide_actions":
        services.analysis_decide_actions(analysis=analysis, actor=actor, comment=data["comment"])
    elif name == "record_follow_up":
        services.analysis_record_follow_up(analysis=analysis, actor=actor,
                                           feedback_given_on=data["feedback_given_on"], comment=data["comment"])
    else:
        services.analysis_cancel(analysis=analysis, actor=actor, reason=data["reason"])


@login_required
@require_POST
def analysis_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One POST per transition; a refusal re-renders the workspace with what was typed."""
    analysis = analysis_get_for_user(request.user, pk)
    if name not in TRANSITION_NAMES:
        raise Http404
    _require_transition_perm(analysis, name, request.user)
    if name == "submit_report":
        key, form = "report", ReportForm(request.POST, prefix="report")
    else:
        key, form = name, TRANSITION_FORMS[name](request.POST, prefix=name)
    if not form.is_valid():
        return _render(request, analysis, {key: form}, status=400)
    try:
        _run_transition(name, analysis, request.user, form.cleaned_data)
    except services.AnalysisValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render(request, _reload(request, analysis), {key: form}, status=400)
    except ApplicationError as exc:
        _transition_refused(form, exc)
        return _render(request, _reload(request, analysis), {key: form}, status=409)
    messages.success(request, DONE_MESSAGES[name] % {"ref": analysis.reference,
                                                      "commissioner": analysis.commissioner.full_name})
    return redirect(analysis)
