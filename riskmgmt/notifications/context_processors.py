from .selectors import notification_unread_count


def unread_count(request) -> dict:
    """The header's unread count: one indexed COUNT for signed-in users, none otherwise."""
    return {"unread_notifications_count": notification_unread_count(user=getattr(request, "user", None))}
