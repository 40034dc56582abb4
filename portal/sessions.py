"""Sessions read from the cache (Redis) and kept in the database, carrying on from the database
alone while the cache cannot be reached.

Django's cached_db store already survives a failed cache write; a failed read, existence check
or delete still ends in an error page. Here they fall back to the database, which holds every
session, so a Redis outage slows pages down instead of breaking them."""

import logging

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except Exception:  # the cache client's own errors: connection refused, timeout, ...
            logger.warning("Session cache unavailable; reading the session from the database")
            return db.SessionStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:
            logger.warning("Session cache unavailable; checking the session in the database")
            return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        """The database row goes first (the session is over), then the cached copy. When the
        cache cannot be reached (or stalls past its timeout), the copy would come back with
        it and revive the session: the logout must win, so every session of that user is
        ended instead (portal.user_sessions), and a session carrying on under a new key
        (cycle_key at login or after the second step) gets the new hash."""
        key = session_key or self.session_key
        user_id = self._user_id_in_database(key)
        db.SessionStore.delete(self, session_key)
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            logger.error(
                "Session cache unavailable; ending every session of the deleted one's user"
            )
            if user_id is not None:
                self._end_sessions_of(user_id)

    def _user_id_in_database(self, key):
        if key is None:
            return None
        try:
            row = self.model.objects.get(session_key=key)
        except self.model.DoesNotExist:
            return None
        return self.decode(row.session_data).get(SESSION_KEY)

    def _end_sessions_of(self, user_id) -> None:
        from .models import User
        from .user_sessions import user_sessions_end

        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return
        user_sessions_end(user=user)
        if getattr(self, "_session_cache", {}).get(SESSION_KEY) == str(user.pk):
            self[HASH_SESSION_KEY] = user.get_session_auth_hash()
