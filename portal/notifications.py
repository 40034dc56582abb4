"""Notifications: under the bell in the portal, and by e-mail when the user has an address.

The scheduled job (`manage.py send_reminders`) calls reminders_run(): branch staff get a daily
digest of the registrations waiting for verification in their area, village operators hear of
verifications and rejections (read from the registrations' history) and of members whose
village-funded period ends within 30 days. Each notification has a key unique per user, so a
second run creates nothing; e-mails go out for notifications not mailed yet, one mail per user.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enrollment.models import FundingSource, Registration, RegistrationEvent

from .models import Notification, User

LAPSING_WITHIN_DAYS = 30
# How far back the job reads verifications and rejections: a missed run catches up, and the
# first run on an old database does not announce years of history.
DECISIONS_LOOKBACK_DAYS = 7
# Notifications older than this are no longer mailed (say, to an address added later).
EMAIL_WITHIN = datetime.timedelta(days=2)


def _language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def _date(day: datetime.date | datetime.datetime) -> str:
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


def pending_digests(*, today: datetime.date) -> list[Notification]:
    """One digest per active branch staff member with registrations waiting for verification in
    their area: how many, per village, the oldest since when. Keyed by the day."""
    key = f"pending:{today.isoformat()}"
    staff = User.objects.filter(
        role=User.Role.BRANCH_STAFF, is_active=True, branch_office__isnull=False
    ).exclude(notifications__key=key)
    url = reverse("verification_queue")
    digests = []
    for user in staff.select_related("branch_office"):
        villages = list(
            Registration.objects.for_user(user)
            .submitted()
            .order_by()
            .values("village_id", "village__name", "village__district__name")
            .annotate(count=Count("pk"), oldest=Min("created_at"))
            .order_by("village__district__name", "village__name", "village_id")
        )
        if not villages:
            continue
        total = sum(village["count"] for village in villages)
        oldest = min(village["oldest"] for village in villages)
        with translation.override(_language(user)):
            lines = [
                ngettext(
                    "%(count)d registration in your area waits for verification, the oldest "
                    "since %(date)s.",
                    "%(count)d registrations in your area wait for verification, the oldest "
                    "since %(date)s.",
                    total,
                )
                % {"count": total, "date": _date(oldest)}
            ]
            lines += [
                _("%(village)s (%(district)s): %(count)d")
                % {
                    "village": village["village__name"],
                    "district": village["village__district__name"],
                    "count": village["count"],
                }
                for village in villages
            ]
        digests.append(
            Notification(
                user=user, kind=Notification.Kind.PENDING, key=key, text="\n".join(lines), url=url
            )
        )
    return digests


def _operators_by_village(village_ids: Iterable[str]) -> dict[str, list[User]]:
    operators = defaultdict(list)
    for user in User.objects.filter(
        role=User.Role.VILLAGE_OPERATOR, is_active=True, village_id__in=set(village_ids)
    ):
        operators[user.village_id].append(user)
    return operators


def verified_text(*, user: User, name: str, kpj: str | None) -> str:
    """A verification as told to `user`: with the KPJ number only when they may see it
    (User.may_see_kpj), since a notification is also mailed."""
    if kpj and user.may_see_kpj:
        return _("The registration of %(name)s was verified: KPJ %(kpj)s.") % {
            "name": name,
            "kpj": kpj,
        }
    return _("The registration of %(name)s was verified.") % {"name": name}


def decision_notices(
    *, since: datetime.datetime | None = None, events: list[RegistrationEvent] | None = None
) -> list[Notification]:
    """For each verification or rejection recorded since `since` (or each of `events`, just
    recorded by enrollment.services), a notice to every active operator of the registration's
    village (with the reason for a rejection). Keyed by the history entry, so the service's
    notice and the scheduled job's are one and the same."""
    if events is None:
        events = list(
            RegistrationEvent.objects.filter(
                action__in=[RegistrationEvent.Action.VERIFIED, RegistrationEvent.Action.REJECTED],
                at__gte=since,
            )
            .select_related("registration__participant")
            .order_by("at", "pk")
        )
    operators = _operators_by_village(event.registration.village_id for event in events)
    notices = []
    for event in events:
        registration = event.registration
        name = registration.participant.full_name
        for user in operators[registration.village_id]:
            with translation.override(_language(user)):
                if event.action == RegistrationEvent.Action.VERIFIED:
                    kind = Notification.Kind.VERIFIED
                    kpj = (event.changes.get("kpj") or [None, registration.kpj])[-1]
                    text = verified_text(user=user, name=name, kpj=kpj)
                else:
                    kind = Notification.Kind.REJECTED
                    text = _("The registration of %(name)s was rejected: %(reason)s") % {
                        "name": name,
                        "reason": event.note or registration.rejection_reason,
                    }
            notices.append(
                Notification(
                    user=user,
                    kind=kind,
                    key=f"decided:{event.pk}",
                    text=text,
                    url=registration.get_absolute_url(),
                )
            )
    return notices


def lapsing_reminders(*, today: datetime.date) -> list[Notification]:
    """For each village and end date, a reminder to the village's active operators that members'
    Dana Desa or ADD period ends within 30 days. Keyed by the village and the end date."""
    rows = (
        Registration.objects.lapsing_within(LAPSING_WITHIN_DAYS, today)
        .filter(paid_by__in=FundingSource.village_funded())
        .values_list("village_id", "paid_until")
    )
    counts = Counter(rows)
    operators = _operators_by_village(village for village, _until in counts)
    url = reverse("lapsing_list")
    reminders = []
    for (village, paid_until), count in sorted(counts.items()):
        for user in operators[village]:
            with translation.override(_language(user)):
                text = ngettext(
                    "The Dana Desa or ADD period of %(count)d member ends on %(date)s: remind "
                    "them to keep paying on their own.",
                    "The Dana Desa or ADD period of %(count)d members ends on %(date)s: remind "
                    "them to keep paying on their own.",
                    count,
                ) % {"count": count, "date": _date(paid_until)}
            reminders.append(
                Notification(
                    user=user,
                    kind=Notification.Kind.LAPSING,
                    key=f"lapsing:{village}:{paid_until.isoformat()}",
                    text=text,
                    url=url,
                )
            )
    return reminders


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
            with translation.override(_language(user)):
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


def reminders_run(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """The scheduled job: create the day's digests and reminders, then mail what is unmailed.
    Idempotent: notifications are keyed, and mailed ones are marked."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    counts = {
        "digests": notifications_create(pending_digests(today=today)),
        "decisions": notifications_create(
            decision_notices(since=now - datetime.timedelta(days=DECISIONS_LOOKBACK_DAYS))
        ),
        "lapsing": notifications_create(lapsing_reminders(today=today)),
    }
    counts["emails"] = notification_emails_send(now=now)
    return counts


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
