"""The notifications about registrations: branch staff get a daily digest of the registrations
waiting for verification in their area, village operators hear of verifications and rejections
(read from the registrations' history) and of members whose village-funded period ends within
LAPSING_WITHIN_DAYS (30 days). The scheduled job (`manage.py send_reminders`) calls
reminders_run(); the bell, the keys and the e-mails are portal.notifications'.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.models import Notification, User
from portal.notifications import (
    date_text,
    language_of,
    notification_emails_send,
    notifications_create,
)

from .models import LAPSING_WITHIN_DAYS, FundingSource, Registration, RegistrationEvent

# How far back the job reads verifications and rejections: a missed run catches up, and the
# first run on an old database does not announce years of history.
DECISIONS_LOOKBACK_DAYS = 7


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
        with translation.override(language_of(user)):
            lines = [
                ngettext(
                    "%(count)d registration in your area waits for verification, the oldest "
                    "since %(date)s.",
                    "%(count)d registrations in your area wait for verification, the oldest "
                    "since %(date)s.",
                    total,
                )
                % {"count": total, "date": date_text(oldest)}
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
            with translation.override(language_of(user)):
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
    Dana Desa or ADD period ends within LAPSING_WITHIN_DAYS. Keyed by the village and the end
    date."""
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
            with translation.override(language_of(user)):
                text = ngettext(
                    "The Dana Desa or ADD period of %(count)d member ends on %(date)s: remind "
                    "them to keep paying on their own.",
                    "The Dana Desa or ADD period of %(count)d members ends on %(date)s: remind "
                    "them to keep paying on their own.",
                    count,
                ) % {"count": count, "date": date_text(paid_until)}
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
