from .notifications import unread_count


def notifications(request):
    """`unread_notification_count` for the bell: one count on a partial index, for logged-in
    users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": unread_count(user)}
