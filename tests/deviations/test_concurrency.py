"""Two people at once, on PostgreSQL (ARCHITECTURE.md §4): a report is received once, and
references stay gap-free and unique under concurrent filing.

Each worker thread has its own database connection, so these need real transactions
(`transaction=True`) and a database with row locks. SQLite serialises every write, so the races
cannot happen there: the tests skip, unless REQUIRE_POSTGRES is set (CI), where they fail.
"""

import os
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from riskmgmt.core.errors import ConcurrentChangeError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services
from riskmgmt.deviations.models import Deviation

# No serialized_rollback: tests/conftest.py reseeds the reference data after transactional tests.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BARRIER_TIMEOUT = 20  # seconds; a thread stuck longer than this is a failure, not a hang


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"REQUIRE_POSTGRES is set but the database is {connection.vendor}")
        pytest.skip("needs PostgreSQL: concurrent transactions and row locks")


def _run_in_threads(*targets):
    """Runs each callable in its own thread with its own connection; returns what each returned
    or the exception it raised, in order."""
    results = [None] * len(targets)

    def run(index, target):
        try:
            results[index] = target()
        except Exception as exc:  # the test inspects it
            results[index] = exc
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 3)
        assert not thread.is_alive(), "a worker thread hung"
    return results


def _fresh(user):
    # Roles and permissions are cached on the user object: one object per thread.
    return get_user_model().objects.get(pk=user.pk)


def test_two_managers_receive_the_same_report_once(file_report, unit_manager, section_manager):
    deviation = file_report()
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)

    def receive(manager, note):
        def target():
            loaded = Deviation.objects.get(pk=deviation.pk)  # both load "reported"...
            actor = _fresh(manager)
            barrier.wait()  # ...before either saves
            return services.deviation_receive(deviation=loaded, actor=actor, immediate_actions=note)
        return target

    results = _run_in_threads(receive(unit_manager, "Enhetschefen ringde familjen."),
                              receive(section_manager, "Sektionschefen bokade möte."))

    winners = [r for r in results if isinstance(r, Deviation)]
    losers = [r for r in results if isinstance(r, ConcurrentChangeError)]
    assert (len(winners), len(losers)) == (1, 1), results
    assert losers[0].code == "concurrent_change"
    deviation.refresh_from_db()
    assert deviation.status == "received"
    assert deviation.immediate_actions == winners[0].immediate_actions  # the loser wrote nothing
    receipts = [t for t in transition_log_for(deviation) if t.name == "receive"]
    assert len(receipts) == 1
    assert deviation.history.filter(history_change_reason="receive").count() == 1


def test_the_api_answers_409_to_the_one_who_lost(monkeypatch, file_report, unit_manager, section_manager):
    from rest_framework.test import APIClient

    deviation = file_report()
    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    receive = services.deviation_receive

    def receive_after_both_loaded(**kwargs):
        barrier.wait()  # each view has loaded the report; now both save
        return receive(**kwargs)

    monkeypatch.setattr(services, "deviation_receive", receive_after_both_loaded)

    def post_as(manager):
        def target():
            client = APIClient()
            client.force_authenticate(_fresh(manager))
            return client.post(f"/api/v1/deviations/{deviation.pk}/transitions/receive/", {}, format="json")
        return target

    responses = _run_in_threads(post_as(unit_manager), post_as(section_manager))

    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 409]
    lost = next(r for r in responses if r.status_code == 409).json()
    assert lost["code"] == "concurrent_change"
    assert lost["detail"]
    assert lost["missing"] == []
    won = next(r for r in responses if r.status_code == 200).json()
    assert won["status"] == "received"
    deviation.refresh_from_db()
    assert deviation.status == "received"
    assert [t.name for t in transition_log_for(deviation)] == ["create", "receive"]


def test_concurrent_filings_get_sequential_unique_references(org, reporter, unit_manager, section_manager,
                                                             quality):
    threads, per_thread = 4, 10
    filers = [reporter, unit_manager, section_manager, quality]
    barrier = threading.Barrier(threads, timeout=BARRIER_TIMEOUT)

    def file_many(user, n):
        def target():
            actor = _fresh(user)
            unit = org["mott"].__class__.objects.get(pk=org["mott"].pk)
            barrier.wait()  # all start together
            return [
                services.deviation_file(actor=actor, kind=("other", "lex_sarah", "complaint")[i % 3], unit=unit,
                                        title=f"Samtidig rapport {n}-{i}",
                                        description="Rapporterad samtidigt som flera andra.").reference
                for i in range(per_thread)
            ]
        return target

    results = _run_in_threads(*(file_many(user, n) for n, user in enumerate(filers)))

    assert all(isinstance(r, list) for r in results), results
    year = timezone.localdate().year
    references = [ref for refs in results for ref in refs]
    assert sorted(references) == [f"AVV-{year}-{n:04d}" for n in range(1, threads * per_thread + 1)]
    for refs in results:  # each filer's own references rise
        assert refs == sorted(refs)
    assert Deviation.objects.count() == threads * per_thread
    assert Deviation.objects.values("reference").distinct().count() == threads * per_thread
