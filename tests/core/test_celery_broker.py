"""Celery with a real broker: a task sent through Redis is run by a real worker.

Runs when CELERY_BROKER_URL is set (CI: redis://127.0.0.1:6379/15); skipped otherwise, unless
REQUIRE_BROKER is set, when a missing broker is a failure (a silent skip would pass CI).
"""

import os
import threading
import uuid
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from kombu import pools as kombu_pools

from config import celery_app
from riskmgmt.organisation.models import Unit

# The embedded worker runs in a thread of this process: the task says it is done through an
# event, so the test never reads the database while the worker writes to it (SQLite's shared
# in-memory test database answers "table is locked" to that).
_done: dict[str, threading.Event] = {}


@celery_app.task(name="tests.core.test_celery_broker.record_round_trip")
def record_round_trip(code: str) -> str:
    """Writes a row naming the thread it ran in, so the test can see a worker ran it."""
    Unit.objects.create(code=code, name=threading.current_thread().name, kind=Unit.Kind.UNIT)
    _done.setdefault(code, threading.Event()).set()
    return code


BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
REQUIRE_BROKER = bool(os.environ.get("REQUIRE_BROKER"))

# Skipped at collection, so a skipped run sets up no transactional database either.
needs_broker = pytest.mark.skipif(
    not BROKER_URL and not REQUIRE_BROKER,
    reason="CELERY_BROKER_URL är inte satt: ingen broker att testa mot.",
)


def _reset_broker_pools() -> None:
    # The app caches connection and producer pools, which come from kombu's registry keyed by
    # broker URL. Closing only the app's pool leaves a closed pool in that registry, handed back
    # on the next use of the same URL ("Acquire on closed pool"); reset the registry as well.
    kombu_pools.reset()
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def real_broker(broker_url: str, settings):
    """Eager mode off and the app on the real broker for this test; restored afterwards."""
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "task_always_eager": conf.task_always_eager,
        "worker_hijack_root_logger": conf.worker_hijack_root_logger,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    conf.broker_url = broker_url
    conf.worker_hijack_root_logger = False  # leave pytest's logging alone
    _reset_broker_pools()
    queues = celery_app.amqp.queues
    consume_from = queues._consume_from
    try:
        yield
    finally:
        queues._consume_from = consume_from
        conf.update(saved)
        _reset_broker_pools()


@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_the_broker_and_a_worker(settings):
    if not BROKER_URL:
        pytest.fail("REQUIRE_BROKER är satt men inte CELERY_BROKER_URL.", pytrace=False)
    # A queue of its own, so no other worker on the same Redis database takes the message.
    queue = f"riskmgmt-test-{uuid.uuid4().hex[:12]}"
    code = f"celery-{uuid.uuid4().hex[:8]}"
    with (
        real_broker(BROKER_URL, settings),
        start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue]),
    ):
        done = _done.setdefault(code, threading.Event())
        result = record_round_trip.apply_async(args=[code], queue=queue)
        assert not isinstance(result, EagerResult)
        assert done.wait(timeout=30), "arbetaren körde aldrig uppgiften"
    celery_app.amqp.queues.pop(queue, None)
    unit = Unit.objects.get(code=code)
    assert unit.name != threading.current_thread().name  # run by the worker, not in this thread


def test_tests_run_tasks_eagerly_unless_a_test_turns_it_off(db, settings):
    # Test settings keep eager mode even with a broker: the task runs here when it is sent.
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    result = record_round_trip.delay("celery-eager")
    assert isinstance(result, EagerResult)
    assert result.get() == "celery-eager"
    assert Unit.objects.get(code="celery-eager").name == threading.current_thread().name
