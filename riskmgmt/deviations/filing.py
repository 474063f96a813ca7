"""Filing views: a staff member's report, its receipt, "Mina rapporter", the process list for
the form, and the public synpunkt/klagomål form (no login).

Each view parses input, calls `services.deviation_file` and renders; every refusal re-renders
the form with what was typed. The public form is protected by CSRF, a honeypot field and a
per-IP rate limit in Django's cache (see `_client_ip` for running behind a proxy).
"""

from __future__ import annotations

import hashlib
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from riskmgmt.accounts.services import system_user
from riskmgmt.organisation.models import Process, Unit
from riskmgmt.organisation.selectors import unit_managers, units_for_filing

from . import services
from .filing_forms import (
    KIND_GUIDANCE,
    KIND_ORDER,
    DeviationFileForm,
    PublicComplaintForm,
    process_choices,
)
from .models import Deviation
from .selectors import deviation_list_reported_by

Status = Deviation.Status
PAGE_SIZE = 25

# "Mina rapporter": what each status means for the person who reported.
STATUS_HELP = {
    Status.REPORTED: gettext_lazy("Skickad. Väntar på att chefen tar emot den."),
    Status.RECEIVED: gettext_lazy("Chefen har tagit emot rapporten."),
    Status.INVESTIGATING: gettext_lazy("Det som hänt utreds."),
    Status.CONCLUDED: gettext_lazy("Utredningen är klar. Åtgärder bestäms."),
    Status.CLOSED: gettext_lazy("Ärendet är avslutat."),
    Status.WITHDRAWN: gettext_lazy("Rapporten har återkallats."),
    Status.FORWARDED: gettext_lazy("Överlämnad till någon annan som ska hantera den."),
}
STATUS_BADGE = {
    Status.REPORTED: "info", Status.RECEIVED: "info", Status.INVESTIGATING: "warning",
    Status.CONCLUDED: "warning", Status.CLOSED: "success", Status.WITHDRAWN: "neutral",
    Status.FORWARDED: "neutral",
}

# A double tap on a slow phone must not file twice: the form carries a one-time token.
SUBMISSION_TTL = 60 * 60
SUBMISSION_PENDING = "pending"


# ---------------------------------------------------------------- staff filing

def _filing_choices(user) -> tuple[list[Unit], list[Process]]:
    units = list(units_for_filing(user).select_related("parent"))
    processes = list(
        Process.objects.filter(unit__in=[u.pk for u in units], is_active=True)
        .select_related("unit").order_by("unit__path", "name")
    )
    return units, processes


def _errors_from(exc: Exception) -> dict[str, str]:
    """{field: message} from the service's DeviationValidationError or a model ValidationError."""
    if isinstance(exc, services.DeviationValidationError):
        return exc.errors
    if hasattr(exc, "message_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _submission_key(user, token: str) -> str | None:
    try:
        token = str(uuid.UUID(token))
    except (TypeError, ValueError, AttributeError):
        return None
    return f"deviation-filing:{user.pk}:{token}"


def _render_form(request, form, token: str, status: int = 200) -> HttpResponse:
    kinds = []
    for radio in form["kind"]:
        kinds.append({"radio": radio, **KIND_GUIDANCE[radio.data["value"]]})
    return render(request, "deviations/file_form.html", {
        "form": form, "kinds": kinds, "submission_token": token,
        "complaint_fields": [form[name] for name in DeviationFileForm.COMPLAINT_FIELDS],
    }, status=status)


@login_required
@never_cache
def deviation_create(request: HttpRequest) -> HttpResponse:
    """Report a lex Sarah, a complaint or another deviation; success leads to the receipt."""
    units, processes = _filing_choices(request.user)
    if not units:
        return render(request, "deviations/file_no_unit.html", status=403 if request.method == "POST" else 200)
    if request.method != "POST":
        kind = request.GET.get("typ")
        initial = {"kind": kind} if kind in KIND_ORDER else {}
        form = DeviationFileForm(units=units, processes=processes, initial=initial)
        return _render_form(request, form, str(uuid.uuid4()))

    form = DeviationFileForm(request.POST, request.FILES, units=units, processes=processes)
    token = request.POST.get("submission", "")
    key = _submission_key(request.user, token)
    if key is not None and not cache.add(key, SUBMISSION_PENDING, SUBMISSION_TTL):
        earlier = cache.get(key)
        if earlier and earlier != SUBMISSION_PENDING:
            messages.info(request, _("Den här rapporten var redan skickad. Här är kvittot."))
            return redirect("deviations:receipt", pk=earlier)
        messages.info(request, _("Din rapport skickades redan. Den syns här när den är sparad."))
        return redirect("deviations:mine")
    deviation = None
    try:
        if form.is_valid():
            try:
                deviation = services.deviation_file(actor=request.user, **form.service_kwargs())
            except (services.DeviationValidationError, ValidationError) as exc:
                form.add_service_errors(_errors_from(exc))
    finally:
        # Whatever happened, a token still "pending" would block the person's next try.
        if key is not None:
            if deviation is None:
                cache.delete(key)
            else:
                cache.set(key, deviation.pk, SUBMISSION_TTL)
    if deviation is not None:
        return redirect("deviations:receipt", pk=deviation.pk)
    form.note_files_to_choose_again(request.FILES)
    return _render_form(request, form, token if key else str(uuid.uuid4()))


@login_required
def deviation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The reference and what happens next; only for the person who filed it."""
    deviation = get_object_or_404(deviation_list_reported_by(request.user), pk=pk)
    managers = [user for user in unit_managers(deviation.unit) if user.pk != request.user.pk]
    return render(request, "deviations/file_receipt.html", {"deviation": deviation, "managers": managers})


@login_required
def deviation_mine(request: HttpRequest) -> HttpResponse:
    """"Mina rapporter": the user's own reports, newest first, with the feedback once closed."""
    page = Paginator(deviation_list_reported_by(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"deviation": d, "status_help": STATUS_HELP.get(d.status, ""), "badge": STATUS_BADGE.get(d.status, "neutral")}
        for d in page.object_list
    ]
    return render(request, "deviations/mine.html", {"page": page, "rows": rows})


@login_required
def process_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the chosen unit's processes (htmx); every unit's, grouped, without a unit."""
    units, processes = _filing_choices(request.user)
    unit_pk = request.GET.get("unit", "")
    if unit_pk:
        unit = next((u for u in units if str(u.pk) == unit_pk), None)
        choices = process_choices([p for p in processes if unit and p.unit_id == unit.pk], grouped=False)
    else:
        choices = process_choices(processes, grouped=len(units) > 1)
    groups = [
        {"label": label, "options": options} if isinstance(options, list) else {"label": "", "options": [(label, options)]}
        for label, options in choices
    ]
    return render(request, "deviations/_process_options.html", {
        "groups": groups, "selected": request.GET.get("process", ""),
    })


# ---------------------------------------------------------------- public complaint form

def _client_ip(request: HttpRequest) -> str:
    """The client's address for the rate limit.

    REMOTE_ADDR by default. Behind a reverse proxy every request comes from the proxy, so set
    RISKMGMT_TRUSTED_PROXY_COUNT to the number of proxies in front of Django: the address is
    then read that many entries from the right of X-Forwarded-For. Never trust the header
    without such a setting: a client can write anything in it.
    """
    proxies = int(getattr(settings, "RISKMGMT_TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _over_rate_limit(request: HttpRequest) -> bool:
    """True when this address has sent the limit of submissions in the window; else counts this one.

    A sliding log in the cache (RISKMGMT_PUBLIC_FORM_RATE = (count, seconds), default 5 per 10
    minutes). The cache must be shared by all processes (Redis, not the per-process default)
    for the limit to hold across workers. The address is hashed: no IP is stored in clear.
    """
    limit, window = getattr(settings, "RISKMGMT_PUBLIC_FORM_RATE", (5, 10 * 60))
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{_client_ip(request)}".encode()).hexdigest()[:32]
    key = f"public-complaint-rate:{digest}"
    now = time.time()
    recent = [t for t in cache.get(key, []) if t > now - window]
    if len(recent) >= limit:
        return True
    cache.set(key, [*recent, now], window)
    return False


def _public_units() -> list[Unit]:
    return list(
        Unit.objects.filter(kind=Unit.Kind.UNIT, is_active=True).select_related("parent").order_by("path")
    )


@never_cache
def public_complaint(request: HttpRequest) -> HttpResponse:
    """Anyone may leave a synpunkt or klagomål; it is filed as a complaint by the system user."""
    units = _public_units()
    if request.method != "POST":
        return render(request, "deviations/public_complaint.html", {"form": PublicComplaintForm(units=units)})
    if _over_rate_limit(request):
        # Keep what was typed, without judging it: the person only has to wait.
        typed = {k: v for k, v in request.POST.items() if k not in ("website", "csrfmiddlewaretoken")}
        form = PublicComplaintForm(units=units, initial=typed)
        return render(request, "deviations/public_complaint.html", {"form": form, "rate_limited": True}, status=429)
    if request.POST.get("website"):
        # A bot filled in the honeypot: say thanks, file nothing.
        return redirect("public:complaint-thanks")
    form = PublicComplaintForm(request.POST, units=units)
    if form.is_valid():
        try:
            services.deviation_file(actor=system_user(), public=True, **form.service_kwargs())
        except (services.DeviationValidationError, ValidationError) as exc:
            form.add_service_errors(_errors_from(exc))
        else:
            return redirect("public:complaint-thanks")
    return render(request, "deviations/public_complaint.html", {"form": form})


def public_complaint_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "deviations/public_thanks.html")
