"""Fixtures for the supervision page tests (import the ones a module needs). Data is built
through the services, as a user would build it; S1's conftest.py beside this file has its own."""

import datetime

import pytest
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services

TODAY = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def ivo_case(org, section_manager):
    """An IVO tillsyn of Mottagningsenheten, received a month ago, not yet decided."""
    return services.decision_create(
        actor=section_manager, unit=org["mott"], authority="ivo", reference="8.5-1234/2026",
        subject="Handläggning av orosanmälningar", kind="supervision", received_on=days(-30),
        processes=[org["mottagning"]],
    )


@pytest.fixture
def ivo_decided(ivo_case, section_manager, org):
    """The same case decided with criticism and two requirements: one due in 20 days, one overdue."""
    services.decision_record(decision=ivo_case, actor=section_manager, decided_on=days(-10), outcome="criticism",
                             summary="IVO kritiserar att skyddsbedömningar inte dokumenteras samma dag.")
    services.requirement_add(decision=ivo_case, actor=section_manager, due_date=days(20),
                             text="Redovisa hur skyddsbedömningar dokumenteras samma dag som anmälan kommer in.",
                             process=org["mottagning"])
    services.requirement_add(decision=ivo_case, actor=section_manager, due_date=days(-3),
                             text="Redovisa hur inkorgen bevakas på fredagar efter klockan 16.")
    ivo_case.refresh_from_db()
    return ivo_case


@pytest.fixture
def due_requirement(ivo_decided):
    return ivo_decided.requirements.order_by("due_date", "pk").last()  # the one due in 20 days


@pytest.fixture
def late_requirement(ivo_decided):
    return ivo_decided.requirements.order_by("due_date", "pk").first()


@pytest.fixture
def due_action(due_requirement, section_manager, unit_manager):
    return action_services.action_create(
        source_obj=due_requirement, actor=section_manager, title="Checklista för skyddsbedömning i journalmallen",
        responsible=unit_manager, due_date=days(14), strength="strong",
        effect_measure="Andel skyddsbedömningar dokumenterade samma dag, stickprov varje månad")

