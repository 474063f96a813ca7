def unread_count(request) -> dict:
    return {"unread_notifications_count": 0}
