"""Benchmark of the process page (`make bench` prints the timings).

BENCH_PROCESS_DEVIATIONS sets how many deviations are linked to the process (default 2,000, over
six years); with them come 200 risks (five years of the unit's analyses), 50 supervision decisions
each with a requirement on the process, and 500 actions on those deviations, risks and
requirements. As much again lies on the organisation's other processes, so the filters on the
process have something to leave out. The assertions are the query counts, which must not grow
with the data, and a generous time bound that only a lost index or an N+1 would break.
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
from riskmgmt.deviations.models import Deviation
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement, SupervisionDecision

pytestmark = pytest.mark.django_db
DEVIATIONS = int(environ.get("BENCH_PROCESS_DEVIATIONS", "2000"))
RISKS = DEVIATIONS // 10
DECISIONS = DEVIATIONS // 40
ACTIONS = DEVIATIONS // 4
RUNS = 3
MAX_MEDIAN_SECONDS = 2.0
WORDS = ["placeringen bröts", "skyddsbedömningen dröjde", "akten låg kvar i skrivaren",
         "umgänget ställdes in", "journalen fördes sent", "orosanmälan lästes först efter helgen"]


def _deviations(process, unit, reporters, now, tag: str) -> list[Deviation]:
    return [
        Deviation(
            reference=f"AVV-{(now - datetime.timedelta(days=n % 2100)).year}-{tag}{n:05d}",
            kind=("other", "complaint", "other", "lex_sarah")[n % 4], unit=unit, process=process,
            title=f"Händelse {n}", description=f"Under veckan {WORDS[n % len(WORDS)]}.",
            reporter=reporters[n % len(reporters)],
            reported_at=now - datetime.timedelta(days=n % 2100, minutes=n),
            status=("reported", "received", "investigating", "concluded", "closed", "closed", "withdrawn")[n % 7],
            classification="serious" if n % 4 == 3 and n % 5 == 0 else "",
            next_due=timezone.localdate() + datetime.timedelta(days=(n % 20) - 10),
        )
        for n in range(DEVIATIONS)
    ]


def _risks(process, analyses, tag: str) -> list[Risk]:
    return [
        Risk(analysis=analyses[n % len(analyses)], title=f"Risk {tag}{n}: {WORDS[n % len(WORDS)]}",
             process=process, risk_type="process", perspective=("client", "staff", "organisation")[n % 3],
             probability=1 + n % 4, consequence=1 + (n * 3) % 4,
             status=Risk.Status.CLOSED if n % 6 == 0 else Risk.Status.OPEN)
        for n in range(RISKS)
    ]


def _load_process(process, reporters, recorder, responsible, tag: str) -> None:
    """DEVIATIONS deviations, RISKS risks, DECISIONS decisions with a requirement each and
    ACTIONS actions, all on `process` (of its own unit)."""
    unit, now, today = process.unit, timezone.now(), timezone.localdate()
    Deviation.objects.bulk_create(_deviations(process, unit, reporters, now, tag), batch_size=1000)
    analyses = [RiskAnalysis.objects.get_or_create(unit=unit, year=today.year - y)[0] for y in range(5)]
    Risk.objects.bulk_create(_risks(process, analyses, tag), batch_size=1000)
    SupervisionDecision.objects.bulk_create([
        SupervisionDecision(
            authority=("ivo", "jo", "court", "audit")[n % 4], reference=f"8.5-{tag}{n}/{today.year - n % 5}",
            unit=unit, subject=f"Tillsyn {n} av handläggningen", kind=("supervision", "complaint", "audit")[n % 3],
            received_on=today - datetime.timedelta(days=n * 37), recorded_by=recorder,
            decided_on=today - datetime.timedelta(days=n * 37 - 20) if n % 3 else None,
            outcome="criticism" if n % 3 else "",
            status=("received", "decided", "reporting_back", "closed")[n % 4])
        for n in range(DECISIONS)
    ])
    decisions = list(SupervisionDecision.objects.filter(reference__startswith=f"8.5-{tag}").order_by("pk"))
    SupervisionDecision.processes.through.objects.bulk_create([
        SupervisionDecision.processes.through(supervisiondecision_id=d.pk, process_id=process.pk) for d in decisions
    ])
    Requirement.objects.bulk_create([
        Requirement(decision=d, text=f"Redovisa hur brist {n} har åtgärdats.", process=process,
                    due_date=today + datetime.timedelta(days=(n * 11) % 90 - 30),
                    status=("open", "reported", "accepted")[n % 3])
        for n, d in enumerate(decisions)
    ])
    types = ContentType.objects.get_for_models(Deviation, Risk, Requirement)
    sources = [
        *((types[Deviation], pk) for pk in Deviation.objects.filter(process=process).values_list("pk", flat=True)[
            : ACTIONS // 2]),
        *((types[Risk], pk) for pk in Risk.objects.filter(process=process).values_list("pk", flat=True)[
            : ACTIONS * 3 // 10]),
        *((types[Requirement], pk) for pk in Requirement.objects.filter(process=process).values_list("pk", flat=True)),
    ]
    statuses = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.EVALUATED,
                Action.Status.CANCELLED]
    Action.objects.bulk_create([
        Action(source_content_type=sources[n % len(sources)][0], source_id=sources[n % len(sources)][1], unit=unit,
               title=f"Åtgärd {tag}{n}: ny rutin för överlämning", responsible=responsible, created_by=responsible,
               due_date=today + datetime.timedelta(days=(n % 120) - 40), strength="medium",
               status=statuses[n % len(statuses)])
        for n in range(ACTIONS)
    ], batch_size=1000)


@pytest.fixture
def loaded(org, personas):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"b-rapp-{n}", password="!") for n in range(40)])
    reporters = [personas["reporter"], *User.objects.filter(username__startswith="b-rapp-")]
    _load_process(org["mottagning"], reporters, personas["quality"], personas["unit_manager"], "M")
    # As much again on the other section's process: what the page must leave out.
    _load_process(org["lvm"], reporters, personas["quality"], personas["other_manager"], "L")
    return org


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
    return statistics.median(times), max(counts), response


def test_process_page(client, loaded, personas):
    """As the unit's manager, the section's, quality (the whole administration) and a staff
    member who sees only her own reports; each part of the page is scoped on its own."""
    process = loaded["mottagning"]
    url = reverse("processes:detail", args=[process.pk])
    open_actions = Action.objects.filter(unit=process.unit, status__in=Action.OPEN_STATUSES).count()
    for persona in ["unit_manager", "section_manager", "quality", "reporter"]:
        median, queries, response = _measure(client, personas[persona], url)
        context = response.context
        print(f"\n{DEVIATIONS} deviations, {RISKS} risks, {DECISIONS} decisions, {ACTIONS} actions  "
              f"GET {url} as {persona:<15} {median * 1000:7.1f} ms  {queries} queries  "
              f"({context['deviation_counts']['total']} deviations, {context['risk_count']} risks, "
              f"{context['decision_count']} decisions, {context['action_count']} open actions shown)")
        if persona != "reporter":
            assert context["risk_count"] == RISKS
            assert context["decision_count"] == DECISIONS
            assert context["action_count"] == open_actions
        assert queries <= 25
        assert median < MAX_MEDIAN_SECONDS
