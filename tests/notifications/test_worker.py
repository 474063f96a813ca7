"""With a real broker: a committed notification is delivered by a real Celery worker.

Uses the local Redis (database 13, emptied first); skipped when no Redis answers. The test is
transactional because the worker thread reads the row through its own connection;
tests/conftest.py reseeds the deadline rules afterwards for the tests that follow.
"""

import socket
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import transaction

from config import celery_app
from riskmgmt.notifications.models import Notification
from riskmgmt.notifications.services import notification_queue
from riskmgmt.notifications.tasks import notification_deliver_task

from .conftest import _reset_broker_pools

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")


@pytest.fixture
def real_broker(settings, monkeypatch):
    import redis

    # Celery reads CELERY_BROKER_URL from the environment before conf.broker_url (CI sets it).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    redis.Redis.from_url(REDIS_URL).flushdb()
    conf = celery_app.conf
    saved = {
        "broker_url": conf.broker_url,
        "task_always_eager": conf.task_always_eager,
        "worker_hijack_root_logger": conf.worker_hijack_root_logger,
    }
    consume_from = celery_app.amqp.queues._consume_from
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    conf.broker_url = REDIS_URL
    conf.worker_hijack_root_logger = False  # leave pytest's logging alone
    _reset_broker_pools()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        celery_app.amqp.queues._consume_from = consume_from
        conf.update(saved)
        _reset_broker_pools()


@pytest.fixture
def delivered():
    """Set when the worker has finished a delivery task. The test waits on it instead of polling
    the database, which SQLite's shared in-memory test database answers with "table is locked"
    while the worker thread writes."""
    done = threading.Event()

    def on_postrun(sender=None, **kwargs):
        if getattr(sender, "name", None) == notification_deliver_task.name:
            done.set()

    task_postrun.connect(on_postrun, weak=False)
    yield done
    task_postrun.disconnect(on_postrun)


@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_a_committed_notification(reporter, real_broker, delivered):
    with transaction.atomic():
        notification = notification_queue(
            recipient=reporter,
            kind="status_changed",
            template="status_changed",
            context={"reference": "AVV-7", "status": "Mottagen"},
            url="/avvikelser/7/",
        )
        assert not delivered.is_set()  # nothing is enqueued before commit

    assert delivered.wait(timeout=15)
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Ny status: AVV-7 – Mottagen"]
    assert not Notification.objects.filter(sent_at=None).exists()
