from functools import cache

from django.contrib.auth.backends import ModelBackend

from .models import User
from .notifications import with_unread_count


@cache
def _users():
    # Built once per process: composing the subquery costs as much as running the query.
    return with_unread_count(User._default_manager.all())


class UserBackend(ModelBackend):
    """Django's ModelBackend, loading each request's user together with their count of unread
    notifications, which the bell shows on every page: one query for both."""

    def get_user(self, user_id):
        try:
            user = _users().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
