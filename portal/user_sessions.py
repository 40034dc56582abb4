"""Ending every open session of a user at once, for events that sessions opened before must not
outlive: turning two-factor on (a session opened with the password alone would go on reading
full NIKs and exporting without the code), and a logout whose copy in Redis could not be
removed (it would come back with Redis).

Raising User.session_generation changes the hash every request compares with the one its
session holds (User._get_session_auth_hash, checked by Django's auth middleware with the user
it loads anyway): every session opened before no longer matches and is flushed at its next
request, wherever it is kept (database, Redis). No extra query per request."""

from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db.models import F


def user_sessions_end(*, user, request=None) -> None:
    """End every session of `user`; the session of `request` (theirs) carries on."""
    get_user_model().objects.filter(pk=user.pk).update(
        session_generation=F("session_generation") + 1
    )
    user.refresh_from_db(fields=["session_generation"])
    if request is not None:
        update_session_auth_hash(request, user)
