"""Following up members who missed a month: the list from the payments recorded, each with a
WhatsApp message, and a one-click record of who was reached."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required, scoped_or_404
from portal.phone import is_mobile_phone, whatsapp_url
from portal.roles import ANY_ROLE

from .arrears import PaymentState, months_missed, payment_state
from .commission import add_months
from .follow_up_views import INDONESIAN_MONTHS
from .models import ContributionRate, FollowUp, LapseRule, Registration
from .premiums import format_rupiah
from .tables import ArrearsTable

SHOWN = 500


def arrears_message(registration: Registration, book=None) -> str:
    """The message a member reads on WhatsApp, always Indonesian, without the KPJ number."""
    paid = registration.last_paid_month
    missed = add_months(paid, 1)
    premium = registration.premium_total_in(missed, book)
    return (
        f"Yth. Bapak/Ibu {registration.participant.full_name}, iuran BPJS Ketenagakerjaan Anda "
        f"melalui Desa {registration.village.name} tercatat dibayar sampai bulan "
        f"{INDONESIAN_MONTHS[paid.month - 1]} {paid.year}; iuran bulan "
        f"{INDONESIAN_MONTHS[missed.month - 1]} {missed.year} belum tercatat. Agar tetap "
        f"terlindungi, bayar iuran {format_rupiah(premium)} per bulan lewat "
        f"agen Perisai, kantor desa, atau kanal pembayaran BPJS Ketenagakerjaan (misalnya "
        f"aplikasi JMO). Terima kasih."
    )


def arrears_whatsapp_url(registration: Registration, book=None) -> str | None:
    phone = registration.participant.phone
    try:
        if not phone or not is_mobile_phone(phone):
            return None
        return whatsapp_url(phone, arrears_message(registration, book))
    except ValidationError:  # an older, unnormalised number
        return None


@role_required(*ANY_ROLE)
def arrears_list(request):
    """Members of the user's villages who missed a month (in arrears or lapsed by the rule),
    most recent gap first, with the WhatsApp link and whether they were reached about it."""
    today = timezone.localdate()
    scoped = Registration.objects.for_user(request.user).not_employer_covered()
    missed = scoped.in_payment_state(PaymentState.ARREARS, today) | scoped.in_payment_state(
        PaymentState.LAPSED, today
    )
    latest = FollowUp.objects.filter(
        registration=OuterRef("pk"), last_paid_month=OuterRef("last_paid_month")
    ).order_by("-at", "-pk")
    registrations = list(
        missed.annotate(
            reached_at=Subquery(latest.values("at")[:1]),
            reached_channel=Subquery(latest.values("channel")[:1]),
        )
        .select_related("participant", "village")
        .order_by("-last_paid_month", "village_id", "pk")[: SHOWN + 1]
    )
    book = ContributionRate.objects.price_book()
    months_unpaid = LapseRule.objects.months_unpaid(today)  # once, not once a row
    for registration in registrations:
        registration.missed = months_missed(registration.last_paid_month, today)
        registration.premium_due = registration.premium_total_in(
            add_months(registration.last_paid_month, 1), book
        )
        registration.state = payment_state(registration.last_paid_month, today, months_unpaid)
        registration.whatsapp_url = arrears_whatsapp_url(registration, book)
        registration.reached_label = (
            FollowUp.Channel(registration.reached_channel).label
            if registration.reached_channel
            else ""
        )
    shown = registrations[:SHOWN]
    return render(
        request,
        "enrollment/arrears_list.html",
        {
            "registrations": shown,
            "table": ArrearsTable(shown, show_village=not request.user.is_village_operator),
            "more": len(registrations) > SHOWN,
            "shown": SHOWN,
            "follow_up_channels": FollowUp.Channel.choices,
        },
    )


@require_POST
@role_required(*ANY_ROLE)
def arrears_follow_up(request, pk):
    """Record that a member who missed a month was reached, by the channel chosen."""
    registration = scoped_or_404(
        Registration.objects.verified()
        .filter(~Q(last_paid_month=None))
        .select_related("participant"),
        request.user,
        pk=pk,
    )
    channel = request.POST.get("channel")
    if channel not in FollowUp.Channel.values:
        messages.error(request, _("Choose how the member was reached."))
        return redirect("arrears_list")
    follow_up = FollowUp.objects.create(
        registration=registration,
        by=request.user,
        channel=channel,
        last_paid_month=registration.last_paid_month,
    )
    messages.success(
        request,
        _("Follow-up of %(name)s recorded (%(channel)s).")
        % {"name": registration.participant.full_name, "channel": follow_up.get_channel_display()},
    )
    return redirect("arrears_list")
