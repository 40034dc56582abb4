"""Page sizes: a list's ?per_page= is honoured between 1 and MAX_PER_PAGE rows. Unbounded,
5,000 rows took 4.3 s and a huge value outlasted gunicorn's 30 s timeout; -1 answered 500.
Every paginated table uses BoundedPaginator (directly or through KnownCountPaginator); the
tables' shared column is here too."""

import django_tables2 as tables
from django.core.paginator import Paginator

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


def bounded_per_page(value: int) -> int:
    """`value` rows per page, at most MAX_PER_PAGE; the default for zero or less."""
    if value < 1:
        return DEFAULT_PER_PAGE
    return min(value, MAX_PER_PAGE)


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *args, **kwargs):
        super().__init__(object_list, bounded_per_page(int(per_page)), *args, **kwargs)


class ActionsColumn(tables.Column):
    """A column of links or buttons whose header only screen readers read
    (templates/includes/table.html): on a phone's card its cell carries no "label:"."""

    hidden_header = True

    def __init__(self, **kwargs):
        super().__init__(empty_values=(), orderable=False, **kwargs)
