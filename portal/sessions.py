"""Sessions read from the cache (Redis) and kept in the database, carrying on from the database
alone while the cache cannot be reached.

Django's cached_db store already survives a failed cache write; a failed read, existence check
or delete still ends in an error page. Here they fall back to the database, which holds every
session, so a Redis outage slows pages down instead of breaking them."""

import logging

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
        # The database row goes first (the session is over); a copy left in an unreachable
        # cache expires with the session's age and its cookie is replaced at logout.
        db.SessionStore.delete(self, session_key)
        key = session_key or self.session_key
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            logger.error("Session cache unavailable; the cached copy of a deleted session stays")
