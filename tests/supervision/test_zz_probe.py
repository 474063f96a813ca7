import pytest
pytest_plugins = ["tests.supervision.view_fixtures"]
from django.urls import reverse

pytestmark = pytest.mark.django_db
BIG = "99999999999999999999999"


def test_probe(client, org, section_manager):
    client.force_login(section_manager)
    for url, data in [
        (reverse("supervision:list"), {"unit": BIG}),
        (reverse("supervision:create"), {"unit": BIG, "processes": BIG, "deviation": BIG}),
    ]:
        r = client.get(url, data)
        print(url, r.status_code)
        r = client.get(url, data, HTTP_HX_REQUEST="true")
        print(url, "htmx", r.status_code)
    r = client.post(reverse("supervision:create"), {"unit": BIG, "processes": [BIG], "deviation": BIG, "authority": "ivo"})
    print("post", r.status_code)


def test_probe2(client, org, section_manager, ivo_decided):
    client.force_login(section_manager)
    r = client.post(reverse("supervision:create"), {"unit": "-" + BIG, "processes": ["-" + BIG, "abc"], "deviation": "-1", "authority": "ivo"})
    print("post2", r.status_code)
    r = client.get(reverse("supervision:edit", args=[ivo_decided.pk]), {"unit": BIG, "processes": [BIG, "x"]}, HTTP_HX_REQUEST="true")
    print("edit htmx", r.status_code)
    r = client.post(reverse("supervision:requirement-add", args=[ivo_decided.pk]), {"krav-ny-text": "x", "krav-ny-due_date": "2026-01-01", "krav-ny-process": BIG})
    print("req add", r.status_code)
    r = client.post(reverse("supervision:requirement-action", args=[ivo_decided.pk, ivo_decided.requirements.first().pk]), {"title": "x", "responsible": BIG})
    print("action add", r.status_code)
    r = client.get(reverse("supervision:list"), {"unit": BIG, "due_before": "99999-01-01"})
    print("list", r.status_code)
