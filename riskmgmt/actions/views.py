from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.fsm import transition_label, transition_log_entries, transitions_available_to
from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import unit_get_for_user, units_in_scope

from . import services
from .forms import TRANSITION_FORMS, ActionForm
from .models import TRANSITION_NAMES, Action
from .rules import manages_action_unit
from .selectors import (
    action_filter,
    action_get_for_user,
    action_list_for_source,
    action_list_for_user,
)
from .sources import action_source, action_source_for_model

STATUS_FILTERS = [("open", _("Öppna")), *Action.Status.choices, ("all", _("Alla"))]
PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
def action_mine(request: HttpRequest) -> HttpResponse:
    """Mina åtgärder: the user's own, nearest due date first, so overdue ones lead."""
    status = request.GET.get("status", "open")
    qs = action_filter(action_list_for_user(request.user), status=status, responsible=request.user)
    return render(request, "actions/action_mine.html", {
        "page": _page(request, qs.order_by("due_date", "pk")),
        "status": status, "status_filters": STATUS_FILTERS,
    })


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """A manager's (or quality/management's) actions for their whole subtree, with filters."""
    status = request.GET.get("status", "open")
    units = units_in_scope(request.user, [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES])
    unit = None
    if request.GET.get("unit"):
        unit = units.filter(pk=request.GET["unit"]).first() if request.GET["unit"].isdigit() else None
    overdue = request.GET.get("overdue") == "1"
    qs = action_filter(action_list_for_user(request.user), status=status, overdue=overdue, unit=unit)
    return render(request, "actions/action_list.html", {
        "page": _page(request, qs.order_by("due_date", "pk")),
        "status": status, "status_filters": STATUS_FILTERS, "overdue": overdue,
        "units": units.order_by("path"), "selected_unit": unit,
    })


def _detail_context(request, action: Action, forms: dict | None = None) -> dict:
    names = transitions_available_to(action, request.user, TRANSITION_NAMES)
    forms = forms or {}
    transitions = [
        {"name": name, "label": transition_label(action, name),
         "form": forms.get(name) or TRANSITION_FORMS[name](prefix=name)}
        for name in names
    ]
    return {
        "action": action,
        "transitions": transitions,
        "log": transition_log_entries(action),
        "follow_up_url": _follow_up_url(request, action),
        "history": action.history.select_related("history_user").order_by("-history_date")[:50],
        "can_edit": action.is_open and manages_action_unit(request.user, action),
        "source_url": _source_url(action),
        "source_title": _source_title(action),
    }


def _follow_up_url(request, action: Action) -> str | None:
    """Where to add a follow-up when the effect fell short and the user may add one."""
    if not action.needs_follow_up:
        return None
    source = action_source_for_model(action.source_content_type.model_class())
    if source is None or not source.can_add(request.user, action.source):
        return None
    return reverse("actions:create", args=[source.key, action.source_id]) + f"?predecessor={action.pk}"


def _source_title(action: Action) -> str:
    source = action_source_for_model(action.source_content_type.model_class())
    return source.title_of(action.source) if source and action.source else ""


def _source_url(action: Action) -> str | None:
    source = action_source_for_model(action.source_content_type.model_class())
    return source.url_of(action.source) if source and action.source else None


@login_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_get_for_user(request.user, pk)
    return render(request, "actions/action_detail.html", _detail_context(request, action))


@login_required
@require_POST
def action_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One POST per transition; errors re-render the page with what was typed."""
    action = action_get_for_user(request.user, pk)
    if name not in TRANSITION_FORMS:
        raise Http404
    form = TRANSITION_FORMS[name](request.POST, prefix=name)
    if not form.is_valid():
        return render(request, "actions/action_detail.html",
                      _detail_context(request, action, {name: form}), status=400)
    data = form.cleaned_data
    try:
        if name == "start":
            services.action_start(action=action, actor=request.user, comment=data["comment"])
        elif name == "complete":
            services.action_complete(action=action, actor=request.user, done_on=data["done_on"],
                                     comment=data["comment"])
        elif name == "evaluate":
            services.action_evaluate(action=action, actor=request.user, effect=data["effect"],
                                     comment=data["comment"])
        else:
            services.action_cancel(action=action, actor=request.user, reason=data["reason"])
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        action.refresh_from_db()
        return render(request, "actions/action_detail.html",
                      _detail_context(request, action, {name: form}), status=409)
    messages.success(request, _("%(ref)s: %(status)s.") % {
        "ref": action.reference, "status": action.get_status_display()})
    return redirect(action)


def _source_for_user(request, source_type: str, source_id: int):
    source = action_source(source_type)
    if source is None:
        raise Http404
    return source, source.get_for_user(request.user, source_id)


@login_required
def action_create(request: HttpRequest, source_type: str, source_id: int) -> HttpResponse:
    """Adds an action to a source. With htmx the source page's panel is swapped in place."""
    source, source_obj = _source_for_user(request, source_type, source_id)
    if not source.can_add(request.user, source_obj):
        raise PermissionDenied
    unit = source.unit_of(source_obj)
    back = _safe_next(request, source.url_of(source_obj))
    predecessor = None
    if request.GET.get("predecessor") or request.POST.get("predecessor"):
        predecessor = action_get_for_user(request.user, request.GET.get("predecessor") or request.POST.get("predecessor"))
    form = ActionForm(request.POST or None, unit=unit, initial=_follow_up_initial(predecessor))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(source_obj=source_obj, actor=request.user, predecessor=predecessor,
                                   addresses=predecessor.addresses if predecessor else None,
                                   **form.cleaned_data)
        except services.ActionValidationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Åtgärden är tillagd."))
            if request.htmx:
                # The message goes along out of band, so the live region announces it.
                return render(request, "actions/_action_panel.html",
                              {**_panel_context(request, source, source_obj, back), "messages_oob": True})
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    if request.htmx:
        return render(request, "actions/_action_panel.html",
                      _panel_context(request, source, source_obj, back, form=form), status=status)
    return render(request, "actions/action_form.html", {
        "form": form, "source": source, "source_obj": source_obj, "back": back,
        "predecessor": predecessor,
    }, status=status)


def _follow_up_initial(predecessor):
    if predecessor is None:
        return {}
    return {"title": _("Uppföljning: %(title)s") % {"title": predecessor.title},
            "responsible": predecessor.responsible_id, "strength": predecessor.strength,
            "effect_measure": predecessor.effect_measure}


def _panel_context(request, source, source_obj, back, form=None) -> dict:
    can_add = source.can_add(request.user, source_obj)
    actions = list(action_list_for_source(source_obj))
    return {
        "source": source, "source_obj": source_obj, "actions": actions, "can_add": can_add,
        "form": form or (ActionForm(unit=source.unit_of(source_obj)) if can_add else None),
        "back": back, "all_weak": bool(actions) and all(a.strength == Action.Strength.WEAK for a in actions
                                                       if a.status != Action.Status.CANCELLED),
    }


@login_required
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = action_get_for_user(request.user, pk)
    if not manages_action_unit(request.user, action) or not action.is_open:
        raise PermissionDenied
    form = ActionForm(request.POST or None, instance=action, unit=action.unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(getattr(exc, "field", None), exc.message)
        else:
            messages.success(request, _("Åtgärden är ändrad."))
            return redirect(action)
    return render(request, "actions/action_edit.html", {"form": form, "action": action},
                  status=400 if request.method == "POST" else 200)


@login_required
def unit_plan(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Enhetens handlingsplan: actions that belong to the unit itself, not to a single case."""
    unit = unit_get_for_user(request.user, unit_pk)
    source = action_source("unit")
    if not (source.can_add(request.user, unit) or source.extra_viewers(request.user, unit)):
        raise Http404
    return render(request, "actions/unit_plan.html", {
        "unit": unit, **_panel_context(request, source, unit, request.get_full_path())
    })
