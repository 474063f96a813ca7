"""Reads of deviations: scoped lists, filters, full text, the access gate."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope

from .models import Deviation, DeviationAccess
from .rules import can_view_deviation

HANDLER_ROLES = [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES]


def _display(qs: QuerySet[Deviation]) -> QuerySet[Deviation]:
    return qs.select_related("unit", "process", "reporter")


def deviation_list_for_user(user) -> QuerySet[Deviation]:
    """What the user may see: their own reports and all of the units they manage or oversee."""
    if not user.is_authenticated:
        return Deviation.objects.none()
    return _display(Deviation.objects.filter(
        Q(reporter=user) | Q(unit__in=units_in_scope(user, HANDLER_ROLES))
    ))


def deviation_inbox_for_user(user) -> QuerySet[Deviation]:
    """"Att hantera": the units the user manages or oversees, nearest deadline first."""
    return _display(Deviation.objects.filter(unit__in=units_in_scope(user, HANDLER_ROLES)))


def deviation_list_reported_by(user) -> QuerySet[Deviation]:
    """"Mina rapporter": what the user filed, newest first."""
    return _display(Deviation.objects.filter(reporter=user)).order_by("-reported_at", "-pk")


def deviation_get_for_user(user, pk) -> Deviation:
    """The one access gate for deviations: 404 when the user may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    deviation = (
        _display(Deviation.objects.filter(pk=pk)).select_related("investigator").first()
    )
    if deviation is None or not can_view_deviation(user, deviation):
        raise Http404
    return deviation


def deviation_search(qs: QuerySet[Deviation], text: str) -> QuerySet[Deviation]:
    """Swedish full text on PostgreSQL (stemmed: "placering" finds "placeringen"); icontains elsewhere."""
    text = (text or "").strip()
    if not text:
        return qs
    if connection.vendor == "postgresql":
        match = RawSQL(
            "deviations_deviation.search_vector @@ websearch_to_tsquery('pg_catalog.swedish', %s)",
            [text], output_field=BooleanField(),
        )
        return qs.annotate(text_match=match).filter(text_match=True)
    return qs.filter(
        Q(title__icontains=text) | Q(description__icontains=text) | Q(reference__icontains=text)
        | Q(location__icontains=text)
    )


def deviation_filter(qs: QuerySet[Deviation], *, kind=None, status=None, unit=None, process=None,
                     year=None, overdue=False, q=None) -> QuerySet[Deviation]:
    """The inbox's and the API's filters; unit includes its subtree, year is of reported_at."""
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.filter(status__in=Deviation.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if process is not None:
        qs = qs.filter(process=process)
    if year:
        qs = qs.filter(reported_at__year=year)
    if overdue:
        qs = qs.filter(status__in=Deviation.OPEN_STATUSES, next_due__lt=timezone.localdate())
    return deviation_search(qs, q)


def deviation_access_log(deviation: Deviation) -> QuerySet[DeviationAccess]:
    return deviation.accesses.select_related("user").order_by("-at")
