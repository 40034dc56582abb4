"""The second tier of the login lock: wrong passwords for one account from many addresses.

django-axes locks a username from one address after LOGIN_FAILURE_LIMIT wrong passwords, so a
stranger locks out only themselves. Guesses spread over many addresses are counted here, for the
account as a whole: past LOGIN_ACCOUNT_FAILURE_LIMIT within the cool-off, the account opens only
to its right password followed by its second factor, or after a password reset (which lifts the
lock). A stranger can thus delay, never take over, an account; its owner always has a way in.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def recent_failures(username: str) -> int:
    """Wrong passwords for this username, from every address, within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start")
    )["failures"]
    return total or 0


def is_locked(username: str) -> bool:
    return bool(username) and recent_failures(username) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def lift(username: str) -> None:
    """A password reset ends the lock: the owner proved they hold the account's e-mail."""
    AccessAttempt.objects.filter(username=username).delete()
