import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_huge(client, requirement, section_manager):
    d = requirement.decision
    client.force_login(section_manager)
    big = 2**70
    for url in [f"/tillsyn/{d.pk}/krav/{big}/redovisningen/", f"/tillsyn/{d.pk}/yttrande/{big}/skickat/",
                f"/tillsyn/{d.pk}/krav/{big}/atgard/", f"/tillsyn/{d.pk}/krav/{big}/accept/", f"/processer/{big}/",
                f"/tillsyn/{big}/redovisning.pdf", f"/tillsyn/{big}/beslutet/"]:
        for m in ("get", "post"):
            r = getattr(client, m)(url)
            print(m, url, r.status_code)
            assert r.status_code < 500
