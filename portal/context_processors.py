from functools import cache

from .notifications import unread_count


def notifications(request):
    """`unread_notification_count` for the bell, for logged-in users only: loaded with the
    request's user (portal.backends), else counted at most once per request (django-tables2
    renders every template cell with the context processors again; templates call the cached
    function)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_unread_notification_count"):
        request._unread_notification_count = cache(lambda: unread_count(user))
    return {"unread_notification_count": request._unread_notification_count}
