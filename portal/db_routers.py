"""Dashboard and export reads from a read replica, when DATABASE_REPLICA_URL names one.

A view opts in with `@use_replica()` (or a `with use_replica():` block): inside it, reads go to
the "replica" database alias, except while a transaction is open on the default database,
whose reads must see its own writes. Writes always go to the default database. Without a
replica in the settings the router is not installed and `use_replica()` changes nothing.

The replica lags the primary by a moment: only pages that may show numbers a few seconds old
use it (dashboards, exports); a page that shows what the user has just saved does not."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def use_replica() -> Iterator[None]:
    """Read from the replica inside this block (also usable as a view decorator)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads inside `use_replica()` to the replica, everything else to the default database."""

    def db_for_read(self, model, **hints) -> str:
        if _replica_reads.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        # Said explicitly: otherwise Django would follow an object read from the replica back
        # to the replica, after the block too.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same rows on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary, schema included
