"""Handling views: the "Att hantera" inbox, the detail page with the transitions the user may take
now, the IVO panel and its printable basis, the access log and attachments.

Every view is parse → access gate → service → render or redirect. A refused request re-renders the
detail page with what was typed and the error summary at the top: 400 for bad input, 409 when a
rule or someone else's change stops it, 403 when the user may not take the step at all.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Min, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from riskmgmt.accounts.services import SYSTEM_USERNAME
from riskmgmt.actions.models import Action
from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.forms import DateInput
from riskmgmt.core.fsm import (
    transition_failed_guards,
    transition_label,
    transition_log_entries,
    transitions_available_to,
)
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope, user_has_role

from . import services
from .forms import (
    CLASSIFICATION_HELP,
    IVO_FORMS,
    AttachmentForm,
    InboxFilterForm,
    IvoCreateForm,
    investigation_form,
    ivo_transition_form,
    transition_form,
)
from .models import (
    HANDLE,
    IVO_TRANSITION_NAMES,
    TRANSITION_NAMES,
    Attachment,
    Deviation,
    IvoNotification,
)
from .pdf import html_to_pdf
from .rules import is_reporter, manages_deviation_unit, oversees_deviation_unit
from .selectors import (
    HANDLER_ROLES,
    deviation_filter,
    deviation_get_for_user,
    deviation_inbox_for_user,
)
from .selectors import (
    deviation_access_log as access_log_for,
)

Status, Kind = Deviation.Status, Deviation.Kind
PAGE_SIZE = 50
NOTIFY_IVO = "deviations.notify_ivo"
SEE_REPORTER = "deviations.see_reporter"
# Ways out of the main road: offered folded under the main step, not beside it.
SECONDARY_TRANSITIONS = ("withdraw", "forward")
INVESTIGATION_FIELDS = {
    Kind.LEX_SARAH: ("what_happened", "causes", "classification"),
    Kind.COMPLAINT: ("answer",),
    Kind.OTHER: ("conclusion",),
}

# The main road of a deviation, for the progress line at the top of the detail page.
MAIN_ROAD = (Status.REPORTED, Status.RECEIVED, Status.INVESTIGATING, Status.CONCLUDED, Status.CLOSED)

HISTORY_REASONS = {
    "file": gettext_lazy("Rapporterad"),
    "save_investigation": gettext_lazy("Utkast till utredningen sparat"),
    "ivo_notification": gettext_lazy("Anmälan till IVO registrerad"),
    "import": gettext_lazy("Importerad från tidigare system"),
}
# Compared by hand: simple-history's diff_against skips non-editable fields such as status.
DEADLINE_LABELS = {
    "receipt_due": gettext_lazy("frist för mottagande"),
    "conclusion_due": gettext_lazy("frist för utredningen"),
    "ivo_notification_due": gettext_lazy("frist för anmälan till IVO"),
}
HISTORY_FIELDS = [f for f in Deviation._meta.concrete_fields
                  if f.name not in ("id", "created", "modified", "next_due")]
ACCESS_VIA = {
    "web": gettext_lazy("Ärendesidan"),
    "api": gettext_lazy("API"),
    "underlag": gettext_lazy("Underlag för IVO"),
    "pdf": gettext_lazy("Underlag för IVO (pdf)"),
    "bilaga": gettext_lazy("Bilaga"),
}


# ---------------------------------------------------------------- the inbox

def _next_step(deviation: Deviation) -> str:
    """What the handler does next, for the inbox row (display only; the detail page decides)."""
    status = deviation.status
    if status == Status.REPORTED:
        return _("Ta emot")
    if status == Status.RECEIVED:
        return _("Utred eller överlämna") if deviation.kind == Kind.COMPLAINT else _("Starta utredning")
    if status == Status.INVESTIGATING:
        return _("Besvara") if deviation.kind == Kind.COMPLAINT else _("Avsluta utredningen")
    if status == Status.CONCLUDED:
        if deviation.is_serious:
            notification = getattr(deviation, "ivo_notification", None)
            if notification is None:
                return _("Anmäl till IVO")
            if notification.status == IvoNotification.Status.SENT:
                return _("Skicka utredningen till IVO")
        return _("Avsluta ärendet")
    return ""


@login_required
def deviation_inbox(request: HttpRequest) -> HttpResponse:
    """"Att hantera": the user's subtree, open first by default, nearest deadline first."""
    user = request.user
    if not user_has_role(user, HANDLER_ROLES):
        # Staff without a manager or oversight role: a friendly page, not a 404 (they followed a link).
        return render(request, "deviations/inbox.html", {"no_scope": True})
    units = units_in_scope(user, HANDLER_ROLES)
    inbox = deviation_inbox_for_user(user)
    today = timezone.localdate()
    earliest = inbox.aggregate(first=Min("reported_at"))["first"]
    first_year = timezone.localdate(earliest).year if earliest else today.year
    form = InboxFilterForm(request.GET or None, units=units, years=range(today.year, first_year - 1, -1))
    if not form.is_bound:
        form.initial = {"status": "open"}
    filters = form.filters()
    qs = deviation_filter(inbox, **filters).select_related("ivo_notification").order_by(
        F("next_due").asc(nulls_last=True), "reported_at", "pk"
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"deviation": d, "next_step": _next_step(d)} for d in page.object_list]
    return render(request, "deviations/inbox.html", {
        "form": form, "page": page, "rows": rows,
        "filtered": any(v for k, v in filters.items() if k != "status") or filters["status"] != "open",
    })


# ---------------------------------------------------------------- detail page

def _namer(request, deviation: Deviation):
    """A user's display name; the reporter stays anonymous to those who may not see who reported."""
    hide_reporter = not request.user.has_perm(SEE_REPORTER, deviation)

    def name(user) -> str:
        if user is None:
            return _("Systemet")
        if hide_reporter and user.pk == deviation.reporter_id:
            return _("Rapportören")
        return user.full_name

    return name


def _reporter_name(deviation: Deviation) -> str:
    if deviation.reporter.username == SYSTEM_USERNAME:
        return _("Allmänheten, via webbformuläret")
    return deviation.reporter.full_name


def _notification(deviation: Deviation) -> IvoNotification | None:
    return IvoNotification.objects.filter(deviation=deviation).select_related(
        "recorded_by", "supervision_decision").first()


def _deadline(label, due, done_on=None, *, applies=True) -> dict | None:
    if not applies or (due is None and done_on is None):
        return None
    today = timezone.localdate()
    return {"label": label, "due": due, "done_on": done_on,
            "overdue": done_on is None and due is not None and due < today}


def _deadlines(deviation: Deviation, notification: IvoNotification | None) -> list[dict]:
    """Each deadline of the case with its state: done (when), open, or overdue."""
    open_case = deviation.is_open
    conclusion_label = {
        Kind.LEX_SARAH: _("Utredningen klar"), Kind.COMPLAINT: _("Synpunkten besvarad"),
    }.get(deviation.kind, _("Utredningen klar"))
    concluded_on = timezone.localdate(deviation.concluded_at) if deviation.concluded_at else None
    received_on = timezone.localdate(deviation.received_at) if deviation.received_at else None
    items = [
        _deadline(_("Mottagen"), deviation.receipt_due, received_on),
        _deadline(conclusion_label, deviation.conclusion_due, concluded_on),
        _deadline(_("Anmäld till IVO"), deviation.ivo_notification_due,
                  notification.sent_on if notification else None,
                  applies=deviation.kind == Kind.LEX_SARAH),
    ]
    if notification is not None:
        items.append(_deadline(_("Utredningen hos IVO"), notification.investigation_due,
                               notification.investigation_sent_on))
    items = [item for item in items if item]
    if not open_case:
        for item in items:
            item["overdue"] = False
    return items


def _progress(deviation: Deviation) -> list[dict] | None:
    if deviation.status not in MAIN_ROAD:
        return None
    current = MAIN_ROAD.index(deviation.status)
    labels = dict(Status.choices)
    return [{"label": labels[s], "done": i < current, "current": i == current} for i, s in enumerate(MAIN_ROAD)]


def _blocked(deviation: Deviation, user, names) -> list[dict]:
    """Steps the user could take from this status but for a rule they cannot fix in the form."""
    blocked = []
    for name in names:
        meta = getattr(type(deviation), name)._django_fsm
        fsm_transition = meta.get_transition(deviation.status)
        if fsm_transition is None or not fsm_transition.has_perm(deviation, user):
            continue
        reasons = [str(g.message) for g in transition_failed_guards(deviation, name) if not g.from_input]
        if reasons:
            blocked.append({"label": transition_label(deviation, name), "reasons": reasons})
    return blocked


def _field_history(deviation: Deviation, name) -> list[dict]:
    """Who changed which fields when (simple-history), newest first, the last 50 saves."""
    records = list(deviation.history.select_related("history_user").order_by("-history_date", "-history_id")[:51])
    records.reverse()
    entries = []
    for previous, record in zip([None, *records[:-1]], records, strict=True):
        reason = record.history_change_reason or ""
        if reason in TRANSITION_NAMES:
            label = transition_label(deviation, reason)
        else:
            label = str(HISTORY_REASONS.get(reason, reason or _("Ändrad")))
        changes = []
        if previous is not None:
            for field in HISTORY_FIELDS:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old == new:
                    continue
                item = {"field": str(DEADLINE_LABELS.get(field.name, field.verbose_name))}
                if field.choices:
                    choices = dict(field.choices)
                    item["old"] = choices.get(old, old) or "–"
                    item["new"] = choices.get(new, new) or "–"
                changes.append(item)
            if not changes:
                continue
        entries.append({"at": record.history_date, "by": name(record.history_user), "label": label,
                        "changes": changes})
    entries.reverse()
    return entries[:50]


def _can_upload(user, deviation: Deviation) -> bool:
    return deviation.is_open and (is_reporter(user, deviation) or manages_deviation_unit(user, deviation))


class IvoSupervisionForm(forms.Form):
    """IVO opened a tillsyn: pick the decision already registered for the unit, or register it here."""

    use_required_attribute = False
    supervision_decision = forms.ModelChoiceField(
        label=gettext_lazy("Tillsynsärende"), required=False, queryset=None,
        empty_label=gettext_lazy("Registrera ett nytt tillsynsärende"),
        help_text=gettext_lazy("Finns IVO:s tillsyn redan registrerad under Tillsyn, välj den."))
    reference = forms.CharField(label=gettext_lazy("IVO:s diarienummer för tillsynen"), required=False,
                                max_length=60)
    received_on = forms.DateField(label=gettext_lazy("Tillsynen inleddes"), required=False, widget=DateInput(),
                                  initial=timezone.localdate)
    subject = forms.CharField(label=gettext_lazy("Vad tillsynen gäller"), required=False, max_length=200,
                              help_text=gettext_lazy("Inga namn eller personnummer."))

    def __init__(self, data=None, *, notification: IvoNotification, user) -> None:
        super().__init__(data, prefix="ivo-record_supervision",
                         initial={"reference": notification.ivo_reference})
        from riskmgmt.supervision.models import SupervisionDecision
        from riskmgmt.supervision.selectors import decisions_for_user

        deviation = notification.deviation
        self.fields["supervision_decision"].queryset = (
            decisions_for_user(user)
            .filter(authority=SupervisionDecision.Authority.IVO,
                    unit__code__in=[*deviation.unit.ancestor_codes(), deviation.unit.code])
            .filter(Q(deviation__isnull=True) | Q(deviation=deviation))
            .exclude(status=SupervisionDecision.Status.CLOSED)
            .order_by("-received_on", "-pk")
        )

    def clean_received_on(self):
        value = self.cleaned_data.get("received_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return value


def _supervision_link(notification: IvoNotification, user) -> dict | None:
    """The linked decision's name and page, for those who see the decision; others (a unit manager
    when the decision is the section's) learn only that there is one, not its reference."""
    if notification.supervision_decision_id is None:
        return None
    from riskmgmt.supervision.deadlines import safe_url
    from riskmgmt.supervision.rules import sees_decision

    decision = notification.supervision_decision
    if not sees_decision(user, decision):
        return {"label": _("Ett tillsynsärende är registrerat"), "status": decision.get_status_display(), "url": ""}
    return {"label": str(decision), "status": decision.get_status_display(), "url": safe_url(decision)}


def _ivo_context(request, deviation: Deviation, notification, bound: dict, sees_case: bool) -> dict | None:
    """The IVO panel: only on lex Sarah, only for those who handle or oversee the unit."""
    if deviation.kind != Kind.LEX_SARAH or not sees_case:
        return None
    user = request.user
    today = timezone.localdate()
    can_notify = user.has_perm(NOTIFY_IVO, deviation)
    context = {
        "notification": notification,
        "can_notify": can_notify,
        "basis_allowed": can_notify or manages_deviation_unit(user, deviation),
        "warning": deviation.is_serious and notification is None,
        "due": deviation.ivo_notification_due,
        "due_overdue": bool(deviation.ivo_notification_due and deviation.ivo_notification_due < today),
        "before_receipt": deviation.status == Status.REPORTED,
        "not_needed": bool(deviation.classification) and not deviation.is_serious,
    }
    if notification is None:
        if can_notify and deviation.status not in (Status.REPORTED, Status.WITHDRAWN):
            context["create_form"] = bound.get("ivo-create") or IvoCreateForm(prefix="ivo")
            if context["warning"]:
                context["next_label"] = _("Registrera anmälan till IVO")
        return context
    available = transitions_available_to(notification, user, IVO_TRANSITION_NAMES)
    names = [n for n in available if n in IVO_FORMS]
    for key in bound:  # a refused form stays, as on the deviation's own steps
        if key.startswith("ivo-") and key[4:] in IVO_FORMS and key[4:] not in names:
            names.append(key[4:])
    context.update({
        "transitions": [{"name": n, "label": transition_label(notification, n),
                         "form": bound.get(f"ivo-{n}") or ivo_transition_form(n)} for n in names],
        "supervision_possible": notification.status == IvoNotification.Status.INVESTIGATION_SENT,
        "investigation_overdue": bool(
            notification.status == IvoNotification.Status.SENT and notification.investigation_due
            and notification.investigation_due < today
        ),
        "log": transition_log_entries(notification),
        "supervision_decision": _supervision_link(notification, user),
    })
    if "record_supervision" in available or "ivo-record_supervision" in bound:
        context["supervision_form"] = bound.get("ivo-record_supervision") or IvoSupervisionForm(
            notification=notification, user=user)
    if context["transitions"] and notification.status == IvoNotification.Status.SENT:
        # Pointed to from "Nästa steg", so sending the investigation is not missed further down.
        # Once it is sent, IVO's decision may take months: that is waiting, not a next step.
        context["next_label"] = context["transitions"][0]["label"]
    return context


def _detail_context(request, deviation: Deviation, bound: dict | None = None) -> dict:
    bound = bound or {}
    user = request.user
    name = _namer(request, deviation)
    notification = _notification(deviation)
    sees_case = manages_deviation_unit(user, deviation) or oversees_deviation_unit(user, deviation)

    names = transitions_available_to(deviation, user, TRANSITION_NAMES)
    # A refused form stays on the page even when its step is gone, so nothing typed is lost.
    names += [n for n in bound if n in TRANSITION_NAMES and n not in names]
    transitions = [
        {"name": n, "label": transition_label(deviation, n),
         "form": bound.get(n) or transition_form(n, deviation), "danger": n == "withdraw",
         "secondary": n in SECONDARY_TRANSITIONS}
        for n in names
    ]
    failed = next((form for form in bound.values() if form.errors), None)
    log = [{**item, "by": name(item["entry"].by)} for item in transition_log_entries(deviation)]
    attachments = [{"attachment": a, "by": name(a.uploaded_by)}
                   for a in deviation.attachments.select_related("uploaded_by")]
    return {
        "deviation": deviation,
        "reporter_name": _reporter_name(deviation) if user.has_perm(SEE_REPORTER, deviation) else None,
        "sees_case": sees_case,
        "can_handle": user.has_perm(HANDLE, deviation),
        "progress": _progress(deviation),
        "deadlines": _deadlines(deviation, notification),
        "transitions": transitions,
        # Read-only investigation once it has begun or has content, and not beside its own form.
        "show_investigation": sees_case and not any(t["name"] == "conclude" for t in transitions) and (
            deviation.status in (Status.INVESTIGATING, Status.CONCLUDED, Status.CLOSED)
            or any(getattr(deviation, f) for f in INVESTIGATION_FIELDS[deviation.kind])
        ),
        "blocked": _blocked(deviation, user, ["close"]),
        "failed_form": failed,
        "ivo": _ivo_context(request, deviation, notification, bound, sees_case),
        "attachments": attachments,
        "upload_form": (bound.get("attachment") or AttachmentForm()) if _can_upload(user, deviation) else None,
        "log": log,
        "history": _field_history(deviation, name) if sees_case else None,
        "can_see_access_log": oversees_deviation_unit(user, deviation),
    }


def _render_detail(request, deviation: Deviation, bound: dict | None = None, status: int = 200) -> HttpResponse:
    return render(request, "deviations/detail.html", _detail_context(request, deviation, bound), status=status)


def _reload(request, deviation: Deviation) -> Deviation:
    # A refused service may have set fields on the instance; show what is stored.
    return deviation_get_for_user(request.user, deviation.pk)


def _add_service_errors(form, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _refused(form, exc: ApplicationError) -> None:
    """The service's Swedish message first, then each missing field marked where it is filled in."""
    form.add_error(None, exc.message)
    for field in exc.missing:
        if field in form.fields and field not in form.errors:
            form.add_error(field, _("Saknas."))


def _require_transition_perm(obj, name: str, user) -> None:
    """403 when the user may not take this step at all; a wrong status is the service's 409."""
    meta = getattr(type(obj), name)._django_fsm
    fsm_transition = meta.get_transition(obj.status)
    candidates = [fsm_transition] if fsm_transition is not None else list(meta.transitions.values())
    if not any(t.has_perm(obj, user) for t in candidates):
        raise PermissionDenied


@login_required
def deviation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = deviation_get_for_user(request.user, pk)
    services.deviation_record_access(deviation=deviation, user=request.user)
    return _render_detail(request, deviation)


def _run_transition(name: str, deviation: Deviation, actor, data: dict) -> None:
    if name == "receive":
        services.deviation_receive(deviation=deviation, actor=actor, immediate_actions=data["immediate_actions"],
                                   kind=data["kind"])
    elif name == "start_investigation":
        services.deviation_start_investigation(deviation=deviation, actor=actor, investigator=data["investigator"])
    elif name == "conclude":
        services.deviation_conclude(deviation=deviation, actor=actor, **data)
    elif name == "close":
        services.deviation_close(deviation=deviation, actor=actor, feedback_given_on=data["feedback_given_on"],
                                 feedback=data["feedback"], comment=data["comment"],
                                 no_action_reason=data["no_action_reason"])
    elif name == "withdraw":
        services.deviation_withdraw(deviation=deviation, actor=actor, reason=data["reason"])
    else:
        services.deviation_forward(deviation=deviation, actor=actor, forwarded_to=data["forwarded_to"],
                                   complainant_notified_on=data["complainant_notified_on"])


@login_required
@require_POST
def deviation_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One POST per transition; a refusal re-renders the page with what was typed."""
    deviation = deviation_get_for_user(request.user, pk)
    if name not in TRANSITION_NAMES:
        raise Http404
    _require_transition_perm(deviation, name, request.user)
    form = transition_form(name, deviation, request.POST)
    if not form.is_valid():
        return _render_detail(request, deviation, {name: form}, status=400)
    try:
        _run_transition(name, deviation, request.user, form.cleaned_data)
    except services.DeviationValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, _reload(request, deviation), {name: form}, status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _render_detail(request, _reload(request, deviation), {name: form}, status=409)
    messages.success(request, _("%(ref)s: %(step)s – klart. Status: %(status)s.") % {
        "ref": deviation.reference, "step": transition_label(deviation, name),
        "status": deviation.get_status_display()})
    return redirect(deviation)


@login_required
@require_POST
def deviation_save_investigation(request: HttpRequest, pk: int) -> HttpResponse:
    """"Spara utkast": the investigation form's fields without concluding."""
    deviation = deviation_get_for_user(request.user, pk)
    if not request.user.has_perm(HANDLE, deviation):
        raise PermissionDenied
    form = investigation_form(deviation, request.POST, prefix="conclude")
    if not form.is_valid():
        return _render_detail(request, deviation, {"conclude": form}, status=400)
    if deviation.status != Status.INVESTIGATING:
        form.add_error(None, _("Utredningen kan bara sparas medan den pågår. Status är nu ”%(status)s”.")
                       % {"status": deviation.get_status_display()})
        return _render_detail(request, deviation, {"conclude": form}, status=409)
    try:
        services.deviation_save_investigation(deviation=deviation, actor=request.user, **form.cleaned_data)
    except services.DeviationValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, _reload(request, deviation), {"conclude": form}, status=400)
    messages.success(request, _("Utkastet är sparat. Utredningen är inte avslutad."))
    return redirect(deviation.get_absolute_url() + "#nasta-steg")


# ---------------------------------------------------------------- IVO panel

def _lex_sarah_or_404(deviation: Deviation) -> None:
    if deviation.kind != Kind.LEX_SARAH:
        raise Http404


@login_required
@require_POST
def ivo_notification_create(request: HttpRequest, pk: int) -> HttpResponse:
    """"Registrera anmälan till IVO": the anmälan was made in IVO's e-service; record it here."""
    deviation = deviation_get_for_user(request.user, pk)
    _lex_sarah_or_404(deviation)
    if not request.user.has_perm(NOTIFY_IVO, deviation):
        raise PermissionDenied
    form = IvoCreateForm(request.POST, prefix="ivo")
    if not form.is_valid():
        return _render_detail(request, deviation, {"ivo-create": form}, status=400)
    try:
        services.ivo_notification_create(deviation=deviation, actor=request.user, **form.cleaned_data)
    except services.DeviationValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, _reload(request, deviation), {"ivo-create": form}, status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _render_detail(request, _reload(request, deviation), {"ivo-create": form}, status=409)
    messages.success(request, _("Anmälan till IVO är registrerad."))
    return redirect(deviation.get_absolute_url() + "#ivo")


@login_required
@require_POST
def ivo_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The next step on the IVO track: the investigation sent, IVO's decision to close, or its tillsyn
    (an existing supervision decision linked, or a new one registered)."""
    deviation = deviation_get_for_user(request.user, pk)
    _lex_sarah_or_404(deviation)
    notification = _notification(deviation)
    if notification is None or name not in (*IVO_FORMS, "record_supervision"):
        raise Http404
    if name == "record_supervision" and notification.status != IvoNotification.Status.INVESTIGATION_SENT:
        raise Http404  # the form exists only while IVO's answer is awaited
    notification.deviation = deviation
    _require_transition_perm(notification, name, request.user)
    key = f"ivo-{name}"
    if name == "record_supervision":
        form = IvoSupervisionForm(request.POST, notification=notification, user=request.user)
    else:
        form = ivo_transition_form(name, request.POST)
    if not form.is_valid():
        return _render_detail(request, deviation, {key: form}, status=400)
    try:
        if name == "record_supervision":
            services.ivo_record_supervision(notification=notification, actor=request.user, **form.cleaned_data)
        elif name == "send_investigation":
            services.ivo_send_investigation(notification=notification, actor=request.user,
                                            sent_on=form.cleaned_data["sent_on"])
        else:
            services.ivo_record_closed(notification=notification, actor=request.user,
                                       decided_on=form.cleaned_data["decided_on"])
    except services.DeviationValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, _reload(request, deviation), {key: form}, status=400)
    except ApplicationError as exc:
        _refused(form, exc)
        return _render_detail(request, _reload(request, deviation), {key: form}, status=409)
    messages.success(request, _("IVO-ärendet: %(status)s.") % {"status": notification.get_status_display()})
    return redirect(deviation.get_absolute_url() + "#ivo")


def _ivo_basis_gate(request, pk: int) -> Deviation:
    """Lex Sarah only, for those who notify IVO or manage the unit; 404 for everyone else."""
    deviation = deviation_get_for_user(request.user, pk)
    user = request.user
    if deviation.kind != Kind.LEX_SARAH or not (
        user.has_perm(NOTIFY_IVO, deviation) or manages_deviation_unit(user, deviation)
    ):
        raise Http404
    return deviation


def _contact_person(request, deviation: Deviation, notification):
    """Whoever records the anmälan: the recorder, the user if they may, else the nearest section manager."""
    if notification is not None:
        return notification.recorded_by
    if request.user.has_perm(NOTIFY_IVO, deviation):
        return request.user
    codes = [*deviation.unit.ancestor_codes(), deviation.unit.code]
    membership = (
        Membership.objects.filter(unit__code__in=codes, role=Membership.Role.SECTION_MANAGER, is_active=True,
                                  user__is_active=True)
        .select_related("user").order_by("-unit__path").first()
    )
    return membership.user if membership else None


def _ivo_basis_context(request, deviation: Deviation, *, for_pdf: bool) -> dict:
    notification = _notification(deviation)
    codes = deviation.unit.ancestor_codes()
    ancestors = list(Unit.objects.filter(code__in=codes).order_by("path"))
    actions = list(action_list_for_source(deviation).exclude(status=Action.Status.CANCELLED))
    return {
        "deviation": deviation,
        "notification": notification,
        "administration": ancestors[0] if ancestors else None,
        "section": next((u for u in reversed(ancestors) if u.kind == Unit.Kind.SECTION), None),
        "contact": _contact_person(request, deviation, notification),
        "actions": actions,
        "classification_help": CLASSIFICATION_HELP.get(deviation.classification, ""),
        "generated_at": timezone.localtime(),
        "for_pdf": for_pdf,
    }


@login_required
def ivo_basis(request: HttpRequest, pk: int) -> HttpResponse:
    """"Underlag för anmälan till IVO": what IVO's form asks, gathered for the e-service."""
    deviation = _ivo_basis_gate(request, pk)
    services.deviation_record_access(deviation=deviation, user=request.user, via="underlag")
    return render(request, "deviations/ivo_basis.html", _ivo_basis_context(request, deviation, for_pdf=False))


@login_required
def ivo_basis_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = _ivo_basis_gate(request, pk)
    services.deviation_record_access(deviation=deviation, user=request.user, via="pdf")
    html = render_to_string("deviations/ivo_basis.html", _ivo_basis_context(request, deviation, for_pdf=True),
                            request=request)
    response = HttpResponse(html_to_pdf(html, base_url=str(settings.BASE_DIR)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ivo-underlag-{deviation.reference}.pdf"'
    return response


# ---------------------------------------------------------------- access log and attachments

@login_required
def deviation_access_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Who read the case when (DOMAIN.md A11): quality and management over the unit."""
    deviation = deviation_get_for_user(request.user, pk)
    if not oversees_deviation_unit(request.user, deviation):
        raise Http404
    name = _namer(request, deviation)
    page = Paginator(access_log_for(deviation), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"at": a.at, "by": name(a.user), "via": ACCESS_VIA.get(a.via, a.via)} for a in page.object_list]
    return render(request, "deviations/access_log.html", {"deviation": deviation, "page": page, "rows": rows})


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = deviation_get_for_user(request.user, pk)
    if not (is_reporter(request.user, deviation) or manages_deviation_unit(request.user, deviation)):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, deviation, {"attachment": form}, status=400)
    try:
        services.attachment_add(deviation=deviation, actor=request.user, upload=form.cleaned_data["file"])
    except services.DeviationValidationError as exc:
        _add_service_errors(form, exc.errors)
        return _render_detail(request, deviation, {"attachment": form}, status=400)
    messages.success(request, _("Bilagan ”%(name)s” är sparad.") % {"name": form.cleaned_data["file"].name})
    return redirect(deviation.get_absolute_url() + "#bilagor")


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file under its original name, for those who may see its deviation (404 otherwise)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    attachment = Attachment.objects.select_related("deviation__unit").filter(pk=pk).first()
    if attachment is None or not request.user.has_perm("deviations.view_deviation", attachment.deviation):
        raise Http404
    services.deviation_record_access(deviation=attachment.deviation, user=request.user, via="bilaga")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type)
