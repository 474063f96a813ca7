"""Benchmark of the ledningsgrupp's year view and the register export (`make bench` prints the timings).

BENCH_RISK_UNITS sets how many units are loaded (default 300, in 10 sections under the
administration), each with this year's and last year's analysis of 10 risks, about a third of
them with an action (some cancelled). The assertions are the query counts, which must not grow
with the number of units, and a generous time bound that only a lost index or an N+1 would break.
"""

import datetime
import statistics
import time
from os import environ

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.risks.models import Risk, RiskAnalysis

pytestmark = pytest.mark.django_db
UNITS = int(environ.get("BENCH_RISK_UNITS", "300"))
SECTIONS = 10
RISKS_PER_ANALYSIS = 10
RUNS = 3
MAX_MEDIAN_SECONDS = 2.0
THIS_YEAR = timezone.localdate().year
WORDS = ["Anmälningar blir liggande över helgen", "Tolk saknas vid första samtalet",
         "Skyddsbedömningen dröjer", "Akten skickas till fel enhet", "Journalen förs sent",
         "Placeringen bryts utan plan", "Umgänge ställs in utan besked", "Läkarkontakt saknas vid abstinens"]


def _units(org) -> list[Unit]:
    """SECTIONS sections under the administration and UNITS units spread over them (bulk, so
    Unit.save's path is set here: the parent's path and the code)."""
    sof = org["sof"]
    Unit.objects.bulk_create([
        Unit(code=f"b-sek-{s}", name=f"Sektion {s}", kind=Unit.Kind.SECTION, parent=sof,
             path=f"{sof.path}b-sek-{s}/")
        for s in range(SECTIONS)
    ])
    sections = list(Unit.objects.filter(code__startswith="b-sek-").order_by("pk"))  # pks on every backend
    Unit.objects.bulk_create([
        Unit(code=f"b-enh-{n}", name=f"Enhet {n}", kind=Unit.Kind.UNIT, parent=sections[n % SECTIONS],
             path=f"{sections[n % SECTIONS].path}b-enh-{n}/", is_active=n % 50 != 49)
        for n in range(UNITS)
    ], batch_size=500)
    return list(Unit.objects.filter(code__startswith="b-enh-").order_by("pk"))


@pytest.fixture
def loaded(org, management, quality, unit_manager):
    units = _units(org)
    # A unit manager per unit, as in a real installation (the scope subqueries read memberships).
    User = get_user_model()
    User.objects.bulk_create([User(username=f"b-chef-{u.code}", password="!") for u in units], batch_size=500)
    managers = {m.username: m for m in User.objects.filter(username__startswith="b-chef-")}
    Membership.objects.bulk_create([
        Membership(user=managers[f"b-chef-{u.code}"], unit=u, role=Membership.Role.UNIT_MANAGER) for u in units
    ], batch_size=500)

    statuses = [RiskAnalysis.Status.PLANNED, RiskAnalysis.Status.HELD, RiskAnalysis.Status.HELD,
                RiskAnalysis.Status.APPROVED]
    RiskAnalysis.objects.bulk_create([
        RiskAnalysis(unit=u, year=year, status=(statuses[n % 4] if year == THIS_YEAR else RiskAnalysis.Status.APPROVED),
                     planned_on=datetime.date(year, 3, 1), perspectives=["client", "staff"],
                     held_on=datetime.date(year, 3, 1) if year < THIS_YEAR or n % 4 else None)
        for n, u in enumerate(units) for year in (THIS_YEAR - 1, THIS_YEAR)
        # a few units have not planned this year's analysis yet (the view says "Saknas")
        if year < THIS_YEAR or n % 25 != 7
    ], batch_size=500)
    analyses = list(RiskAnalysis.objects.filter(unit__code__startswith="b-enh-").order_by("pk"))
    Risk.objects.bulk_create([
        Risk(analysis=a, title=f"{WORDS[(a.pk + r) % len(WORDS)]} ({r})",
             description="Risken bedömdes på arbetsplatsträffen tillsammans med medarbetarna.",
             risk_type=("process", "place", "situation")[r % 3],
             perspective=("client", "staff", "organisation")[r % 3],
             probability=1 + (a.pk + r) % 4, consequence=1 + (a.pk * 3 + r) % 4,
             escalated=r == 9 and a.pk % 3 == 0,
             status=Risk.Status.CLOSED if r == 8 else Risk.Status.OPEN)
        for a in analyses for r in range(RISKS_PER_ANALYSIS)
    ], batch_size=1000)

    risk_type = ContentType.objects.get_for_model(Risk)
    today = timezone.localdate()
    action_statuses = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE,
                       Action.Status.EVALUATED, Action.Status.CANCELLED]
    risk_rows = Risk.objects.filter(analysis__in=analyses).values_list("pk", "analysis__unit_id")
    Action.objects.bulk_create([
        Action(source_content_type=risk_type, source_id=pk, unit_id=unit_id,
               title=f"Ny rutin för överlämning {pk}", responsible=unit_manager, created_by=unit_manager,
               due_date=today + datetime.timedelta(days=(pk % 120) - 30), strength="medium",
               status=action_statuses[pk % len(action_statuses)])
        for pk, unit_id in risk_rows if pk % 3 == 0
    ], batch_size=1000)
    return {**org, "units": units}


def _measure(client, user, url):
    client.force_login(user)
    times, counts = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:2000]
        counts.append(len(queries))
        if times[-1] > 5 * MAX_MEDIAN_SECONDS:
            break  # far over the bound: one run says enough, and the suite need not wait for two more
    return statistics.median(times), max(counts), response


def _print(label: str, url: str, median: float, queries: int, extra: str = "") -> None:
    print(f"\n{UNITS} units  {label:<7} GET {url:<45} {median * 1000:7.1f} ms  {queries} queries  {extra}")


def test_year_view(client, loaded, management):
    """The whole administration, then one section's 30 units (?section=)."""
    section = Unit.objects.get(code="b-sek-3")
    active = Unit.objects.filter(kind=Unit.Kind.UNIT, is_active=True)
    for query, expected in [("", active.count()), (f"?section={section.pk}", active.filter(parent=section).count())]:
        url = reverse("risks:year", args=[THIS_YEAR]) + query
        median, queries, response = _measure(client, management, url)
        shown = response.context["unit_count"]
        _print("year", url, median, queries, f"{shown} units shown")
        assert shown == expected
        assert queries <= 12
        assert median < MAX_MEDIAN_SECONDS


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export(client, loaded, quality, fmt):
    url = reverse("risks:export", args=[fmt]) + f"?unit={loaded['sof'].pk}&year={THIS_YEAR}"
    median, queries, response = _measure(client, quality, url)
    _print("export", url, median, queries, f"{len(response.content) // 1024} kB")
    assert response["Content-Type"].startswith(("application/vnd.openxml", "text/csv"))
    assert queries <= 12
    assert median < MAX_MEDIAN_SECONDS
