import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.risks.test_views import add_data, add_url, detail_url, edit_url, risk_url, current  # noqa

def test_counts(client, org, unit_manager, current, make_risk, management, section_manager):
    for n in range(20):
        make_risk(current, title=f"R{n}", process=org["mottagning"], probability=4)
    client.force_login(unit_manager)
    for url in (reverse("risks:list"), detail_url(current), risk_url(current.risks.first()), edit_url(current.risks.first())):
        with CaptureQueriesContext(connection) as c:
            assert client.get(url).status_code == 200
        print(url, len(c.captured_queries))
        if "risk/" in url and "andra" not in url:
            for q in c.captured_queries: print("   ", q["sql"][:150])
    with CaptureQueriesContext(connection) as c:
        client.post(add_url(current), add_data(), HTTP_HX_REQUEST="true")
    print("add htmx", len(c.captured_queries))
