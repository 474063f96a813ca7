"""The in-app list at /notiser/: own notifications only, mark read, the header count."""

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.notifications.models import Notification

LIST = reverse("notifications:list")


def make(user, n=1, **fields):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            **{
                "recipient": user,
                "kind": "status_changed",
                "subject": f"Ny status: ÅTG-{i}",
                "body": "…",
                "url": f"/atgarder/{i}/",
                "created": now - timezone.timedelta(minutes=i),
                "sent_at": now,
                **fields,
            }
        )
        for i in range(n)
    )


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_own_notifications_newest_first(client, reporter, unit_manager):
    make(reporter, 3)
    make(unit_manager, 1, subject="Ny status: ÅTG-99")
    client.force_login(reporter)

    response = client.get(LIST)

    assert response.status_code == 200
    shown = list(response.context["page_obj"].object_list)
    assert [n.subject for n in shown] == ["Ny status: ÅTG-0", "Ny status: ÅTG-1", "Ny status: ÅTG-2"]
    content = response.content.decode()
    assert "ÅTG-99" not in content
    assert 'href="/atgarder/0/"' in content
    assert "Oläst" in content
    assert response.context["unread_notifications_count"] == 3


def test_marking_read_updates_the_count(client, reporter):
    first, _second = make(reporter, 2)
    client.force_login(reporter)

    response = client.post(reverse("notifications:mark-read", args=[first.pk]), {"next": LIST + "?page=1"})

    assert response.status_code == 302
    assert response["Location"] == LIST + "?page=1"
    first.refresh_from_db()
    assert first.read_at is not None
    read_at = first.read_at
    assert client.get(LIST).context["unread_notifications_count"] == 1

    # Marking it again keeps the first read time.
    client.post(reverse("notifications:mark-read", args=[first.pk]))
    first.refresh_from_db()
    assert first.read_at == read_at


def test_mark_all_read(client, reporter, unit_manager):
    make(reporter, 4)
    [other] = make(unit_manager, 1)
    client.force_login(reporter)

    response = client.post(reverse("notifications:mark-all-read"), follow=True)

    assert response.context["unread_notifications_count"] == 0
    assert not Notification.objects.filter(recipient=reporter, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert "Markera alla som lästa" not in response.content.decode()


def test_another_users_notification_cannot_be_marked_read(client, reporter, unit_manager):
    [theirs] = make(unit_manager, 1)
    client.force_login(reporter)

    assert client.post(reverse("notifications:mark-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None

    # The same request by the owner succeeds: the 404 was about ownership.
    client.force_login(unit_manager)
    assert client.post(reverse("notifications:mark-read", args=[theirs.pk])).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_mark_read_requires_post_and_a_local_next(client, reporter):
    [mine] = make(reporter, 1)
    client.force_login(reporter)
    assert client.get(reverse("notifications:mark-read", args=[mine.pk])).status_code == 405
    response = client.post(
        reverse("notifications:mark-read", args=[mine.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


def test_list_with_300_notifications_is_paginated_in_a_fixed_number_of_queries(
    client, reporter, django_assert_max_num_queries
):
    make(reporter, 300)
    client.force_login(reporter)

    # session, user, header count, page count, page rows
    with django_assert_max_num_queries(6):
        response = client.get(LIST, {"page": 2})

    page = response.context["page_obj"]
    assert page.paginator.count == 300
    assert len(page.object_list) == 25
    assert "Sida 2 av 12" in response.content.decode()


@pytest.mark.parametrize("page", ["0", "x", "999"])
def test_out_of_range_pages_fall_back(client, reporter, page):
    make(reporter, 30)
    client.force_login(reporter)
    assert client.get(LIST, {"page": page}).status_code == 200


def test_header_count_is_one_query_and_zero_for_anonymous(rf, reporter, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from riskmgmt.notifications.context_processors import unread_count

    make(reporter, 2)
    make(reporter, 1, read_at=timezone.now())
    request = rf.get("/")
    request.user = reporter
    with django_assert_num_queries(1):
        assert unread_count(request) == {"unread_notifications_count": 2}
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_count(request) == {"unread_notifications_count": 0}
