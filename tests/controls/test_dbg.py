import pytest
from django.urls import reverse
pytestmark = pytest.mark.django_db
def test_x(client, today, point, reporter):
    client.force_login(reporter)
    page = client.get(reverse("controls:record", args=[point.pk])).content.decode()
    print(page[page.index("<main"):])
