"""TEMPORARY (quality charts helper): screenshots of the kvalitetsberättelse; deleted before handing back."""
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from riskmgmt.reports.document import quality_context, render_html, render_pdf
from tests.reports.conftest import *  # noqa: F403
from tests.reports.conftest import local

OUT = "/tmp/qview"


@pytest.mark.e2e
def test_view(page, live_server, family_history, org, quality, make_deviation, make_risk_analysis, make_risk):
    for m in range(1, 11):
        for n in range(m % 4):
            make_deviation(org["mott"], ["complaint", "lex_sarah", "other"][n % 3], local(2014, m, 2 + n))
    ra = make_risk_analysis(org["mott"], 2014, "held")
    for p, c in [(1, 1), (2, 2), (3, 3), (4, 4), (3, 4), (2, 3), (1, 2)]:
        make_risk(ra, p, c)
    ctx = quality_context(family_history, 2014)
    open(f"{OUT}/doc.html", "w").write(render_html(ctx))
    open(f"{OUT}/doc.pdf", "wb").write(render_pdf(ctx))
    subprocess.run(["pdftoppm", "-png", "-r", "70", f"{OUT}/doc.pdf", f"{OUT}/pdf"], check=True)
    client = Client()
    client.force_login(quality)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + reverse("reports:quality-detail", args=[family_history.pk, 2014]))
        page.screenshot(path=f"{OUT}/page-{width}.png", full_page=True)
        print(width, page.evaluate("() => [document.documentElement.scrollWidth, ...[...document.querySelectorAll('.qdoc-scroll, .qdoc-chart')].map(e => e.className + ':' + e.scrollWidth + '/' + e.clientWidth)]"))
        from tests.e2e.helpers import axe_violations
        print(page.evaluate("() => [...document.querySelectorAll('#qdoc-per-manad-tabell tr:first-child > *, #qdoc-per-manad-tabell tbody tr:nth-child(9) > *')].map(e => e.textContent + ':' + e.getBoundingClientRect().width + ':' + getComputedStyle(e).paddingLeft + ':' + getComputedStyle(e).fontSize)"))
        print(axe_violations(page, ("minor", "moderate", "serious", "critical")))
        groups = page.locator(".qdoc-group:has(.qdoc-chart)")
        for i in range(groups.count()):
            groups.nth(i).screenshot(path=f"{OUT}/group{i}-{width}.png")
