"""Notifications: under the bell in the portal, and by e-mail when the user has an address.

The apps above build them (enrollment.notices: the daily digests, decisions and reminders of
`manage.py send_reminders`) and hand them to notifications_create(). Each notification has a key
unique per user, so a second run creates nothing; e-mails go out for notifications not mailed
yet, one mail per user (notification_emails_send()).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import Notification, User

# Notifications older than this are no longer mailed (say, to an address added later).
EMAIL_WITHIN = datetime.timedelta(days=2)


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def date_text(day: datetime.date | datetime.datetime) -> str:
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return day.strftime("%d-%m-%Y")


def notify(*, user: User, kind: str, key: str, text: str, url: str = "") -> Notification | None:
    """Notify `user` unless they were notified under `key` already; the new notification or None."""
    notification, created = Notification.objects.get_or_create(
        user=user, key=key, defaults={"kind": kind, "text": text, "url": url}
    )
    return notification if created else None


def notifications_create(candidates: Iterable[Notification]) -> int:
    """Save the candidates whose (user, key) is new; return how many were saved. A concurrent
    run that saved the same key first wins (the unique constraint)."""
    candidates = list(candidates)
    if not candidates:
        return 0
    existing = set(
        Notification.objects.filter(
            user__in={candidate.user_id for candidate in candidates},
            key__in={candidate.key for candidate in candidates},
        ).values_list("user_id", "key")
    )
    new = [c for c in candidates if (c.user_id, c.key) not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def notification_emails_send(*, now: datetime.datetime | None = None) -> int:
    """Mail each user with an address their notifications not mailed yet, in one message; return
    how many mails went out. Rows are locked while mailing (a parallel run skips them) and marked
    mailed in the same transaction, so a failed mail is tried again by the next run."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__gte=now - EMAIL_WITHIN,
        user__is_active=True,
    ).exclude(user__email="")
    base = settings.PORTAL_URL.rstrip("/")
    sent = 0
    for user in User.objects.filter(pk__in=due.values("user_id")).order_by("pk"):
        with transaction.atomic():
            notifications = list(
                due.filter(user=user)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("created_at", "pk")
            )
            if not notifications:
                continue
            with translation.override(language_of(user)):
                subject = ngettext(
                    "Desa Sadar: %(count)d new notification",
                    "Desa Sadar: %(count)d new notifications",
                    len(notifications),
                ) % {"count": len(notifications)}
                body = render_to_string(
                    "portal/notifications/email.txt",
                    {
                        "user": user,
                        "notifications": notifications,
                        "base": base,
                        "list_url": base + reverse("notification_list"),
                    },
                )
            EmailMessage(subject, body, to=[user.email]).send()
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)
            sent += 1
    return sent


def notifications_mark_read(*, user: User, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; how many changed."""
    unread = Notification.objects.filter(user=user).unread()
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    """The bell's count: brought along by a user loaded through with_unread_count (the
    request's user, portal.backends), counted otherwise."""
    loaded = getattr(user, "unread_notification_count", None)
    if loaded is not None:
        return loaded
    return Notification.objects.filter(user=user).unread().count()


def with_unread_count(users: QuerySet[User]) -> QuerySet[User]:
    """The users, each with `unread_notification_count` (a subquery on a partial index)."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"))
        .unread()
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return users.annotate(unread_notification_count=Coalesce(Subquery(unread), 0))
