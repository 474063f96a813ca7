"""Shared fixtures: a small organisation and the fixed personas every test speaks of.

    sof (administration)
    ├── fam (section)      ── mott (unit), plac (unit)
    └── vux (section)      ── miss (unit)

Personas: reporter (staff, mott), unit_manager (mott), section_manager (fam),
other_manager (miss, another section), quality (sof), management (sof), outsider (no role).
"""

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.db import connection

from riskmgmt.organisation.models import Membership
from tests.factories import MembershipFactory, ProcessFactory, UnitFactory, UserFactory

Role = Membership.Role


@pytest.fixture(autouse=True)
def _require_backend(request):
    # CI's PostgreSQL run must really be on PostgreSQL; a silent fallback to SQLite would pass.
    if os.environ.get("REQUIRE_POSTGRES") and "django_db_setup" in request.fixturenames:
        assert connection.vendor == "postgresql"


# Reference data that data migrations seed. A transactional test (live server, concurrency)
# empties every table when it ends, so it is put back for the tests that follow on the worker.
REFERENCE_SEEDS = [
    ("riskmgmt.notifications.migrations.0002_seed_deadline_rules", "seed_rules"),
    ("riskmgmt.analyses.migrations.0002_seed_cause_areas", "seed"),
    ("riskmgmt.supervision.migrations.0002_seed_statement_rule", "seed"),
]


def reseed_reference_data() -> None:
    for module, function in REFERENCE_SEEDS:
        getattr(importlib.import_module(module), function)(django_apps, None)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("transaction")) or any(
        name in getattr(item, "fixturenames", ()) for name in ("transactional_db", "live_server")
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Runs after every fixture is finalised, i.e. after pytest-django has flushed the tables.
    result = yield
    # After the session's last test the test database is gone too (session fixtures finalise
    # with it), and reseeding would write into the database DATABASE_URL names.
    if _is_transactional(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            reseed_reference_data()
    return result


@pytest.fixture(autouse=True)
def _fresh_broker_cooldown():
    # The outbox stops enqueueing for a while after a broker error (per process); a test must
    # not inherit that pause from the one before it on the same worker.
    from riskmgmt.notifications import services

    services._broker_retry_after = 0.0


@pytest.fixture
def org(db):
    sof = UnitFactory(code="sof", name="Socialförvaltningen", kind="administration")
    fam = UnitFactory(code="fam", name="Familjesektionen", kind="section", parent=sof)
    vux = UnitFactory(code="vux", name="Vuxensektionen", kind="section", parent=sof)
    mott = UnitFactory(code="mott", name="Mottagningsenheten", parent=fam)
    plac = UnitFactory(code="plac", name="Placeringsenheten", parent=fam)
    miss = UnitFactory(code="miss", name="Missbruksenheten", parent=vux)
    processes = {
        "mottagning": ProcessFactory(unit=mott, name="Mottagning och förhandsbedömning"),
        "placering": ProcessFactory(unit=plac, name="Placering i familjehem/HVB"),
        "lvm": ProcessFactory(unit=miss, name="Placering enligt LVM"),
    }
    return {"sof": sof, "fam": fam, "vux": vux, "mott": mott, "plac": plac, "miss": miss, **processes}


def _persona(username, unit, role, full_name):
    first, last = full_name.split(" ", 1)
    user = UserFactory(username=username, first_name=first, last_name=last)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def reporter(org):
    return _persona("reporter", org["mott"], Role.STAFF, "Anna Nilsson")


@pytest.fixture
def unit_manager(org):
    return _persona("unit_manager", org["mott"], Role.UNIT_MANAGER, "Maria Ek")


@pytest.fixture
def section_manager(org):
    return _persona("section_manager", org["fam"], Role.SECTION_MANAGER, "Sara Lindqvist")


@pytest.fixture
def other_manager(org):
    return _persona("other_manager", org["miss"], Role.UNIT_MANAGER, "Nils Forsberg")


@pytest.fixture
def quality(org):
    return _persona("quality", org["sof"], Role.QUALITY, "Karin Berg")


@pytest.fixture
def management(org):
    return _persona("management", org["sof"], Role.MANAGEMENT, "Lena Holm")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", first_name="Otto", last_name="Utanför")


@pytest.fixture
def personas(reporter, unit_manager, section_manager, other_manager, quality, management, outsider):
    return {
        "reporter": reporter,
        "unit_manager": unit_manager,
        "section_manager": section_manager,
        "other_manager": other_manager,
        "quality": quality,
        "management": management,
        "outsider": outsider,
    }


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
