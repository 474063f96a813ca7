import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from riskmgmt.risks import services
from riskmgmt.reports.document import narrative_save
from riskmgmt.reports.models import Section, QualityNarrative

pytestmark = pytest.mark.django_db

def add(a, u, t, p, c):
    return services.risk_add(analysis=a, actor=u, title=t, probability=p, consequence=c, risk_type="process", perspective="client")

def count(client, url):
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200
    return len(q)

def test_compare(client, org, unit_manager, management):
    last = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2025)
    add(last, unit_manager, "a", 2, 2)
    this = services.risk_analysis_carry_forward(analysis=last, actor=unit_manager)
    client.force_login(management)
    url = reverse("risks:compare", kwargs={"pk": this.pk})
    few = count(client, url)
    for n in range(30):
        add(last, unit_manager, f"l{n}", 2, 3)
        add(this, unit_manager, f"t{n}", 3, 3)
    print("compare", few, count(client, url))
    url = reverse("risks:matrix")
    print("matrix", count(client, url))

def test_quality_detail(client, org, quality, section_manager):
    client.force_login(quality)
    url = reverse("reports:quality-detail", args=[org["fam"].pk, 2025])
    few = count(client, url)
    for section in Section:
        v = 0
        for n in range(5):
            narrative_save(unit=org["fam"], year=2025, section=section, text=f"text {n}", actor=quality if n % 2 else section_manager, based_on=v)
            v = QualityNarrative.objects.get(unit=org["fam"], year=2025, section=section).history.first().history_id
    print("quality", few, count(client, url))
