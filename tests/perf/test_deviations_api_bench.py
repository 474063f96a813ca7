"""Benchmark of the deviations API's list and detail (`make bench` prints the timings).

BENCH_DEVIATIONS sets how many deviations are loaded (default 1,000, small enough for the
normal suite). The assertions are the query counts, which must not grow with the data or the
page size, and a generous time bound that only a lost index or an N+1 would break.
"""

import datetime
import os
import statistics
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from riskmgmt.deviations.models import Deviation, IvoNotification

pytestmark = pytest.mark.django_db
URL = "/api/v1/deviations/"
SIZE = int(os.environ.get("BENCH_DEVIATIONS", "1000"))
RUNS = 3
MAX_MEDIAN_SECONDS = 2.0


@pytest.fixture
def loaded(org, reporter, quality):
    now = timezone.now()
    units = [org["mott"], org["plac"], org["miss"]]
    processes = [org["mottagning"], org["placering"], org["lvm"]]
    words = ["placeringen bröts", "skyddsbedömningen dröjde", "akten låg kvar i skrivaren",
             "umgänget ställdes in", "journalen fördes sent"]
    Deviation.objects.bulk_create([
        Deviation(
            reference=f"AVV-{(now - datetime.timedelta(days=n % 900)).year}-B{n:05d}",
            kind=("lex_sarah", "complaint", "other")[n % 3], unit=units[n % 3], process=processes[n % 3],
            title=f"Händelse {n}", description=f"Under veckan {words[n % len(words)]}.",
            reporter=reporter, reported_at=now - datetime.timedelta(days=n % 900, minutes=n),
            status=("reported", "received", "investigating", "concluded", "closed")[n % 5],
            classification="serious" if n % 7 == 0 else "",
            next_due=timezone.localdate() + datetime.timedelta(days=(n % 20) - 10),
        )
        for n in range(SIZE)
    ], batch_size=500)
    IvoNotification.objects.bulk_create([
        IvoNotification(deviation=d, sent_on=timezone.localdate(), recorded_by=quality)
        for d in Deviation.objects.filter(kind="lex_sarah", classification="serious")[: SIZE // 20]
    ])
    return org


def _measure(api_client, user, url):
    times, counts = [], []
    for _ in range(RUNS):
        api_client.force_authenticate(get_user_model().objects.get(pk=user.pk))  # no warm caches
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = api_client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content
        counts.append(len(queries))
    return statistics.median(times), max(counts), response.json()


@pytest.mark.parametrize("query", [
    "?page_size=50", "?page_size=200", "?page_size=200&page=3", "?kind=lex_sarah&status=open&unit={fam}",
    "?overdue=true&page_size=200", "?q=placering&page_size=200", "?year={year}&process={placering}",
])
def test_list(api_client, loaded, quality, query):
    url = URL + query.format(fam=loaded["fam"].pk, placering=loaded["placering"].pk,
                             year=timezone.localdate().year)
    median, queries, data = _measure(api_client, quality, url)
    print(f"\n{SIZE} deviations  GET {url:<55} {median * 1000:7.1f} ms  {queries} queries  "
          f"{len(data['results'])}/{data['count']} rows")
    assert queries <= 6
    assert median < MAX_MEDIAN_SECONDS


def test_detail(api_client, loaded, unit_manager):
    deviation = Deviation.objects.filter(unit=loaded["mott"]).order_by("pk").first()
    median, queries, _data = _measure(api_client, unit_manager, f"{URL}{deviation.pk}/")
    print(f"\n{SIZE} deviations  GET detail {median * 1000:7.1f} ms  {queries} queries")
    assert queries <= 12
    assert median < MAX_MEDIAN_SECONDS
