"""Shared risk fixtures: a planned analysis for the mottagningsenhet and a quick way to add risks."""

import pytest

from riskmgmt.risks import services


@pytest.fixture
def analysis(org, unit_manager):
    return services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)


@pytest.fixture
def make_risk(unit_manager):
    def make(analysis, title="Hög arbetsbelastning", probability=3, consequence=3, **extra):
        extra.setdefault("risk_type", "process")
        extra.setdefault("perspective", "staff")
        return services.risk_add(analysis=analysis, actor=unit_manager, title=title,
                                 probability=probability, consequence=consequence, **extra)
    return make
