"""Ending a user's open sessions, for changes that sessions opened before must not outlive:
turning two-factor on (a session opened with the password alone would go on reading full NIKs
and exporting without the code)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone


def user_sessions_end(*, user, keep: str | None = None) -> int:
    """End every unexpired session of `user` except the one keyed `keep`; return how many.

    Every session is kept in the database (also with Redis, portal.sessions), so the database
    is read, each session decoded to find its user, and each of the user's ended through the
    session engine (its database row and its cached copy). A rare action: the cost is one
    decode per open session of the portal."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    decoder = store()
    ended = 0
    sessions = (
        Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(session_key=keep or "")
        .values_list("session_key", "session_data")
    )
    for key, data in sessions.iterator(chunk_size=2000):
        if decoder.decode(data).get(SESSION_KEY) == str(user.pk):
            store(session_key=key).delete()
            ended += 1
    return ended
