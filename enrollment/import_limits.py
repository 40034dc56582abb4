"""How many NIKs a user may check against the whole portal per day.

Each imported row's NIK is looked up in every village ("registered elsewhere"), so an upload
is also a question about up to 20,000 NIKs. Besides the rows of one file (IMPORT_MAX_ROWS),
the rows a user uploads within 24 hours are bounded (IMPORT_DAILY_ROWS; admins are not), and
every upload is written to the audit log with its row count (import_views)."""

import datetime

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sheets.guard import ImportRefused
from sheets.messages import with_params

from .models import ImportBatch

WINDOW = datetime.timedelta(hours=24)


def rows_checked_since(user, since: datetime.datetime) -> int:
    """Rows of the user's uploads since `since`: as counted when uploaded or, where the file
    did not say (an .xlsx without its dimension), the last row number read."""
    return ImportBatch.objects.filter(created_by=user, created_at__gte=since).aggregate(
        rows=Coalesce(Sum(Coalesce("rows_estimated", "rows_read")), 0)
    )["rows"]


def nik_checks_allow(*, user, rows: int | None, now: datetime.datetime | None = None) -> None:
    """Raise ImportRefused when a file of `rows` rows would take `user` past the day's limit."""
    if user.is_admin:
        return
    limit = settings.IMPORT_DAILY_ROWS
    checked = rows_checked_since(user, (now or timezone.now()) - WINDOW)
    if checked + (rows or 0) > limit:
        raise ImportRefused(
            with_params(
                _(
                    "You have uploaded %(checked)s rows in the last 24 hours; at most %(limit)s "
                    "are checked per day. Upload the rest tomorrow, or ask your branch office."
                ),
                checked=f"{checked:,}".replace(",", "."),
                limit=f"{limit:,}".replace(",", "."),
            ),
            code="daily_limit",
        )
