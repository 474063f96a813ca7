import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["quality", "section_manager"])
def test_junk(client, personas, org, who):
    client.force_login(personas[who])
    for url in [reverse("reports:dashboard"), reverse("reports:patterns")]:
        for q in ["unit=abc", f"unit={2**70}", "unit=-1", "year=x", f"year={2**70}", "year=99999", "year=-5",
                  f"first_year={2**70}", "first_year=1", "last_year=3000", "period=zz", "by=cause&period=quarter",
                  "kind=x", "by=process&first_year=1900", "unit=%00", "year=%00", "page=x"]:
            r = client.get(url + "?" + q)
            assert r.status_code == 200, (url, q, r.status_code)
