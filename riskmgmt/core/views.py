from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import unit_managers, user_roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Start page: what the user's roles let them do, with reporting first."""
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    return render(
        request,
        "core/home.html",
        {"memberships": memberships, "roles": {held.role for held in user_roles(request.user)}},
    )


@login_required
def report_start(request: HttpRequest) -> HttpResponse:
    """Where "Rapportera avvikelse" leads until the filing form exists: who to report to now."""
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
    )
    contacts = [(m.unit, list(unit_managers(m.unit))) for m in memberships]
    return render(request, "core/report_start.html", {"contacts": contacts})
