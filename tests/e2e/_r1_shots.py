"""Ad-hoc screenshots of the risk pages (not part of the suite)."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.risks import services
from tests.e2e.helpers import DESKTOP, PHONE, login, screenshot, assert_accessible
from tests.factories import UserFactory

YEAR = timezone.localdate().year


@pytest.fixture
def make_risk(unit_manager):
    def make(analysis, title="Hög arbetsbelastning", probability=3, consequence=3, **extra):
        extra.setdefault("risk_type", "process")
        extra.setdefault("perspective", "staff")
        return services.risk_add(analysis=analysis, actor=unit_manager, title=title,
                                 probability=probability, consequence=consequence, **extra)
    return make


OVERFLOW_JS = """() => { const w = document.documentElement.clientWidth; const out = [];
 for (const el of document.querySelectorAll('body *')) { const r = el.getBoundingClientRect();
   if (r.right > w + 1 && !el.closest('.table-wrap, .risk-matrix-wrap')) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right)); }
 const tw = [...document.querySelectorAll('.table-wrap')].map(t => t.scrollWidth + '/' + t.clientWidth);
 return [document.documentElement.scrollWidth, w, out.slice(0, 8), tw]; }"""


def shots(page, name):
    print(name, page.viewport_size["width"], page.evaluate(OVERFLOW_JS))
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    print(name, 390, page.evaluate(OVERFLOW_JS))
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)


@pytest.mark.e2e
def test_shots(page, live_server, org, unit_manager, section_manager, reporter, management, make_risk):
    for u in (unit_manager, section_manager, reporter, management):
        u.set_password("losen-123"); u.save()
    last = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=YEAR - 1)
    r1 = make_risk(last, title="Ingen bevakning av funktionsbrevlådan på helger", probability=3, consequence=4,
                   process=org["mottagning"], perspective="client")
    make_risk(last, title="Trångt väntrum", probability=1, consequence=2)
    services.risk_analysis_hold(analysis=last, actor=unit_manager, held_on=datetime.date(YEAR - 1, 3, 1),
                                participants=[unit_manager, reporter], perspectives=["client", "staff"])
    services.risk_analysis_approve(analysis=last, actor=management, comment="Följ helgerna.")
    plac = services.risk_analysis_create(actor=section_manager, unit=org["plac"], year=YEAR)
    services.risk_add(analysis=plac, actor=section_manager, title="Familjehem saknas akut", probability=3, consequence=3, risk_type="situation", perspective="client")

    login(page, live_server, "section_manager", "losen-123")
    page.goto(live_server.url + reverse("risks:list"))
    assert_accessible(page)
    shots(page, "x-risk-list-section")
    page.goto(live_server.url + reverse("risks:create") + f"?unit={org['mott'].pk}&year={YEAR}")
    assert_accessible(page)
    shots(page, "x-risk-create")
    with page.expect_navigation():
        page.get_by_role("button", name="Starta årets riskanalys för Mottagningsenheten").click() if False else page.goto(live_server.url + reverse("risks:list"))
    with page.expect_navigation():
        page.get_by_role("button", name="Starta årets riskanalys för Mottagningsenheten").click()
    assert_accessible(page)
    shots(page, "x-risk-carried")
    new = last.unit.risk_analyses.get(year=YEAR)
    copy = new.risks.get(predecessor=r1)
    action_services.action_create(source_obj=copy, actor=section_manager, title="Helgbevakning",
                                  responsible=unit_manager, due_date=timezone.localdate() + datetime.timedelta(days=9),
                                  strength="strong")
    services.risk_update(risk=copy, actor=section_manager, residual_probability=1, residual_consequence=4,
                         escalated=True, escalation_reason="Behöver sektionens jour.")
    page.goto(live_server.url + reverse("risks:risk-detail", args=[copy.pk]))
    assert_accessible(page)
    shots(page, "x-risk-detail-carried")
    page.goto(live_server.url + reverse("risks:risk-edit", args=[copy.pk]))
    assert_accessible(page)
    shots(page, "x-risk-edit")
    page.goto(live_server.url + reverse("risks:detail", args=[new.pk]))
    shots(page, "x-risk-workshop-carried")
    page.goto(live_server.url + reverse("risks:detail", args=[last.pk]))
    assert_accessible(page)
    shots(page, "x-risk-workshop-last-year")
