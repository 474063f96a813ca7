"""Fixtures for the outbox and the deadline job.

`deadline` registers a test-only deadline source (the registry is swapped for the test, so
other apps' sources stay out of it) whose items use Process objects as the object with the
deadline, since no deadline-bearing model is needed to test the machinery.
"""

import dataclasses
import datetime
import socket
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config import celery_app
from riskmgmt.notifications import deadlines, services
from riskmgmt.notifications.deadlines import DeadlineItem, register_deadline_source
from riskmgmt.notifications.models import DeadlineRule

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: datetime.date, hour: int = 6, minute: int = 30):
    """Travel to `day` at the job's time of day, in Stockholm."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM), tick=False
    )


@dataclass
class DeadlineHarness:
    rule: DeadlineRule
    items: list[DeadlineItem] = field(default_factory=list)
    horizons: list[datetime.date] = field(default_factory=list)

    def source(self, horizon: datetime.date):
        self.horizons.append(horizon)
        return [item for item in self.items if item.due_date <= horizon]

    def add(self, obj, *, due_date, responsible, unit, label=None) -> DeadlineItem:
        item = DeadlineItem(
            obj=obj,
            due_date=due_date,
            responsible=responsible,
            unit=unit,
            label=label or f"Testärende P-{obj.pk}",
            url=f"/test/{obj.pk}/",
        )
        self.items.append(item)
        return item

    def move(self, item: DeadlineItem, due_date: datetime.date) -> DeadlineItem:
        moved = dataclasses.replace(item, due_date=due_date)
        self.items[self.items.index(item)] = moved
        return moved


@pytest.fixture
def deadline(db, monkeypatch):
    monkeypatch.setattr(deadlines, "_sources", {})
    rule = DeadlineRule.objects.create(
        code="test_deadline",
        name="Testfrist",
        reminder_offsets=[7, 1],
        escalation_after_days=3,
        escalate_to=DeadlineRule.EscalateTo.NEXT_MANAGER,
    )
    harness = DeadlineHarness(rule=rule)
    register_deadline_source("test_deadline", harness.source)
    return harness


def _reset_broker_pools() -> None:
    # The app caches its connection and producer pools; a changed broker_url needs fresh ones
    # (what Celery itself does after a fork). Don't close them: kombu keeps pools in a global
    # registry by URL and would hand the closed one back to the next (eager) test.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def closed_port():
    """A local port nothing listens on: bind an ephemeral port, then release it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(settings, closed_port, monkeypatch):
    """Eager mode off and the broker pointing at a closed port: every enqueue must fail."""
    # Celery reads CELERY_BROKER_URL from the environment before conf.broker_url (CI sets it).
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{closed_port}/0"
    _reset_broker_pools()
    yield conf.broker_url
    conf.update(saved)
    _reset_broker_pools()
    services._broker_retry_after = 0.0
