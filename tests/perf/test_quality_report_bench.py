"""Benchmark of the kvalitetsberättelse: its facts and its page (`make bench` prints the timings).

BENCH_REPORT_DEVIATIONS sets how many deviations are filed in the section's subtree (default
20,000, over the report year and the three before it, in 20 units); a quarter as many more lie in
the other section, outside the report. With them come IVO notifications for the serious lex
Sarah reports, each unit's risk analysis of the year with 10 risks, actions on a tenth of the
deviations and on a third of the risks, and supervision decisions with requirements. The report
is for last year, the whole year being in the past. The assertions are the query counts, which
must not grow with the data, and a generous time bound that only a lost index would break.
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
from riskmgmt.deviations.models import Deviation, IvoNotification
from riskmgmt.organisation.models import Unit
from riskmgmt.reports.facts import TREND_YEARS, quality_facts, report_tz
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement, SupervisionDecision

pytestmark = pytest.mark.django_db
DEVIATIONS = int(environ.get("BENCH_REPORT_DEVIATIONS", "20000"))
EXTRA_UNITS = 18  # with mott and plac, 20 units in the section
YEAR = timezone.localdate().year - 1
RUNS = 3
MAX_MEDIAN_SECONDS = 2.0
WORDS = ["placeringen bröts", "skyddsbedömningen dröjde", "akten låg kvar i skrivaren",
         "umgänget ställdes in", "journalen fördes sent", "orosanmälan lästes först efter helgen"]


def _moment(n: int, total: int) -> datetime.datetime:
    """The n-th of `total` moments spread evenly over the report year and the three before it."""
    start = datetime.datetime(YEAR - TREND_YEARS + 1, 1, 1, tzinfo=report_tz())
    span = datetime.datetime(YEAR + 1, 1, 1, tzinfo=report_tz()) - start
    return start + span * (n / total)


def _deviations(units, reporters, total: int, tag: str) -> list[Deviation]:
    rows = []
    for n in range(total):
        at = _moment(n, total)
        kind = ("other", "complaint", "other", "lex_sarah")[n % 4]
        rows.append(Deviation(
            reference=f"AVV-{at.year}-{tag}{n:05d}", kind=kind, unit=units[n % len(units)],
            title=f"Händelse {n}", description=f"Under veckan {WORDS[n % len(WORDS)]}.",
            reporter=reporters[n % len(reporters)], reported_at=at, created=at,
            status=("closed", "closed", "concluded", "investigating", "received", "reported", "withdrawn")[n % 7],
            classification=(("serious" if n % 5 == 0 else "serious_risk" if n % 5 == 1 else "none")
                            if kind == "lex_sarah" else ""),
        ))
    return rows


def _risks_and_actions(units, responsible) -> None:
    RiskAnalysis.objects.bulk_create([
        RiskAnalysis(unit=u, year=YEAR, status=("approved", "held", "planned")[n % 3] if n % 7 else "approved",
                     held_on=datetime.date(YEAR, 3, 1) if n % 3 != 2 else None)
        for n, u in enumerate(units)
    ])
    analyses = list(RiskAnalysis.objects.filter(year=YEAR, unit__in=units))
    Risk.objects.bulk_create([
        Risk(analysis=a, title=f"Risk {r}: {WORDS[r % len(WORDS)]}", risk_type="process", perspective="client",
             probability=1 + (a.pk + r) % 4, consequence=1 + (a.pk * 3 + r) % 4,
             status="closed" if r == 9 else "open")
        for a in analyses for r in range(10)
    ])
    types = ContentType.objects.get_for_models(Deviation, Risk)
    deviations = Deviation.objects.filter(unit__in=units).values_list("pk", "unit_id", "reported_at")
    risks = Risk.objects.filter(analysis__in=analyses).values_list("pk", "analysis__unit_id")
    statuses = [Action.Status.PLANNED, Action.Status.IN_PROGRESS, Action.Status.DONE, Action.Status.EVALUATED,
                Action.Status.CANCELLED]
    in_year = datetime.datetime(YEAR, 6, 1, tzinfo=report_tz())
    Action.objects.bulk_create([
        *(Action(source_content_type=types[Deviation], source_id=pk, unit_id=unit_id, created=at,
                 title=f"Åtgärd {pk}", responsible=responsible, created_by=responsible,
                 due_date=at.date() + datetime.timedelta(days=60), strength="weak", status=statuses[pk % 5])
          for pk, unit_id, at in deviations if pk % 10 == 0),
        *(Action(source_content_type=types[Risk], source_id=pk, unit_id=unit_id, created=in_year,
                 title=f"Riskåtgärd {pk}", responsible=responsible, created_by=responsible,
                 due_date=datetime.date(YEAR, 10, 1), strength="medium", status=statuses[pk % 5])
          for pk, unit_id in risks if pk % 3 == 0),
    ], batch_size=1000)


def _supervision(units, recorder) -> None:
    SupervisionDecision.objects.bulk_create([
        SupervisionDecision(
            authority=("ivo", "jo", "court", "audit")[n % 4], reference=f"8.5-B{n}/{YEAR}", unit=units[n % len(units)],
            subject=f"Tillsyn {n}", kind="supervision", received_on=datetime.date(YEAR - n % 2, 1 + n % 12, 10),
            decided_on=datetime.date(YEAR - n % 2, 1 + n % 12, 28) if n % 4 else None, recorded_by=recorder,
            status="decided" if n % 4 else "received")
        for n in range(40)
    ])
    Requirement.objects.bulk_create([
        Requirement(decision=d, text=f"Redovisa åtgärd {n}.", due_date=d.received_on + datetime.timedelta(days=90),
                    status=("open", "reported", "accepted")[n % 3],
                    reported_on=d.received_on + datetime.timedelta(days=80) if n % 3 else None)
        for d in SupervisionDecision.objects.filter(reference__startswith="8.5-B") for n in range(3)
    ])


@pytest.fixture
def loaded(org, personas):
    fam = org["fam"]
    Unit.objects.bulk_create([
        Unit(code=f"b-fam-{n}", name=f"Familjeenhet {n}", kind=Unit.Kind.UNIT, parent=fam, path=f"{fam.path}b-fam-{n}/")
        for n in range(EXTRA_UNITS)
    ])
    units = [org["mott"], org["plac"], *Unit.objects.filter(code__startswith="b-fam-").order_by("pk")]
    User = get_user_model()
    User.objects.bulk_create([User(username=f"b-rapp-{n}", password="!") for n in range(100)])
    reporters = [personas["reporter"], *User.objects.filter(username__startswith="b-rapp-")]
    Deviation.objects.bulk_create(_deviations(units, reporters, DEVIATIONS, "S"), batch_size=1000)
    Deviation.objects.bulk_create(_deviations([org["miss"]], reporters, DEVIATIONS // 4, "V"), batch_size=1000)
    IvoNotification.objects.bulk_create([
        IvoNotification(deviation_id=pk, sent_on=at.date() + datetime.timedelta(days=7),
                        recorded_by=personas["quality"])
        for pk, at in Deviation.objects.filter(kind="lex_sarah", classification__in=Deviation.SERIOUS_CLASSIFICATIONS)
        .values_list("pk", "reported_at")
    ], batch_size=1000)
    _risks_and_actions(units, personas["unit_manager"])
    _supervision(units, personas["quality"])
    return {**org, "units": units}


def _timed(call):
    times, counts = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
        counts.append(len(queries))
    return statistics.median(times), max(counts), result


def test_quality_facts(loaded):
    fam = Unit.objects.get(pk=loaded["fam"].pk)
    median, queries, facts = _timed(lambda: quality_facts(fam, YEAR))
    counted = sum(row[k] for row in facts["deviation_counts"] for k in ("complaint", "lex_sarah", "other"))
    print(f"\n{DEVIATIONS} deviations  quality_facts(fam, {YEAR})  {median * 1000:7.1f} ms  {queries} queries  "
          f"{counted} deviations counted, {facts['lex_sarah']}")
    assert counted == Deviation.objects.filter(unit__path__startswith=fam.path).exclude(status="withdrawn").count()
    assert facts["risk_analysis"]["units_total"] == len(loaded["units"])
    assert queries <= 9
    assert median < MAX_MEDIAN_SECONDS


def test_quality_page(client, loaded, personas):
    """The document as a page, for the section's manager (who may write its texts) and quality."""
    url = reverse("reports:quality-detail", args=[loaded["fam"].pk, YEAR])
    for persona in ["section_manager", "quality"]:
        client.force_login(personas[persona])

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.content[:2000]
            return response

        median, queries, response = _timed(get)
        print(f"\n{DEVIATIONS} deviations  GET {url} as {persona:<15} {median * 1000:7.1f} ms  {queries} queries  "
              f"{len(response.content) // 1024} kB")
        assert queries <= 30
        assert median < MAX_MEDIAN_SECONDS
