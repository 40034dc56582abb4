"""Following up members whose funded period ends soon: a WhatsApp message per member, a printable
list for door-to-door visits, and a record of who was reached, when and how."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.access import role_required, scoped_or_404
from portal.phone import display_phone, is_mobile_phone, whatsapp_url
from portal.roles import ANY_ROLE

from . import premiums
from .models import LAPSING_WITHIN_DAYS, ContributionRate, FollowUp, Registration
from .premiums import format_rupiah

INDONESIAN_MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def indonesian_date(day: datetime.date) -> str:
    """ "30 Juni 2026", whatever language the portal speaks to the operator."""
    return f"{day.day} {INDONESIAN_MONTHS[day.month - 1]} {day.year}"


def next_premium(registration: Registration, paid_until: datetime.date, book=None) -> int:
    """The premium of the first month after the period: the one the member pays on their own,
    by the rates and discounts in force then."""
    return registration.premium_total_in(
        premiums.month_of(paid_until + datetime.timedelta(days=1)), book
    )


def follow_up_message(registration: Registration, paid_until: datetime.date, book=None) -> str:
    """The message a member reads on WhatsApp: the programme, until when it is paid and how to
    keep paying. Always Indonesian: it is written for the member, not for the portal's user.
    Without the KPJ number: village operators send it, and they never see that number."""
    programs = ", ".join(registration.programs[:-1]) + " dan " + registration.programs[-1]
    with translation.override("id"):
        premium = format_rupiah(next_premium(registration, paid_until, book))
    return (
        f"Yth. Bapak/Ibu {registration.participant.full_name}, kepesertaan BPJS "
        f"Ketenagakerjaan Anda (program {programs}) melalui Desa {registration.village.name} "
        f"sudah dibayar sampai {indonesian_date(paid_until)}. Agar tetap terlindungi, "
        f"lanjutkan membayar iuran {premium} per bulan "
        f"secara mandiri sebelum tanggal itu, lewat agen Perisai, kantor desa, atau kanal "
        f"pembayaran BPJS Ketenagakerjaan (misalnya aplikasi JMO). Terima kasih."
    )


def follow_up_whatsapp_url(
    registration: Registration, paid_until: datetime.date, book=None
) -> str | None:
    """A wa.me link with the message typed in, or None without a mobile number."""
    phone = registration.participant.phone
    try:
        if not phone or not is_mobile_phone(phone):
            return None
        return whatsapp_url(phone, follow_up_message(registration, paid_until, book))
    except ValidationError:  # an older, unnormalised number
        return None


def with_follow_ups(registrations):
    """Annotate `reached_at` and `reached_channel`: the latest follow-up about the period that
    ends on the registration's `paid_until`; None when nobody yet."""
    latest = FollowUp.objects.filter(
        registration=OuterRef("pk"), paid_until=OuterRef("paid_until")
    ).order_by("-at", "-pk")
    return registrations.annotate(
        reached_at=Subquery(latest.values("at")[:1]),
        reached_channel=Subquery(latest.values("channel")[:1]),
    )


def add_follow_up_details(registration: Registration, book=None) -> None:
    """The WhatsApp link, the premium due after the period and the "already reached" mark the
    lapsing lists show per member (pass `book`, the price book, for a list)."""
    registration.next_premium = next_premium(registration, registration.paid_until, book)
    registration.whatsapp_url = follow_up_whatsapp_url(registration, registration.paid_until, book)
    registration.reached_label = (
        FollowUp.Channel(registration.reached_channel).label if registration.reached_channel else ""
    )


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["channel", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"channel": gettext_lazy("How was the member reached?")}


def _lapsing_registration(request, pk) -> Registration:
    """A verified or active registration the user may see, with `paid_until`; 404 otherwise."""
    registrations = Registration.objects.verified().select_related("participant", "village")
    return scoped_or_404(registrations, request.user, pk=pk)


@role_required(*ANY_ROLE)
def follow_up_create(request, pk):
    """Record that a member was reached about the period ending soon; earlier follow-ups."""
    registration = _lapsing_registration(request, pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        follow_up = form.save(commit=False)
        follow_up.registration = registration
        follow_up.by = request.user
        follow_up.paid_until = registration.paid_until
        follow_up.save()
        messages.success(
            request,
            _("Follow-up of %(name)s recorded (%(channel)s).")
            % {
                "name": registration.participant.full_name,
                "channel": follow_up.get_channel_display(),
            },
        )
        return redirect("lapsing_list")
    whatsapp = (
        follow_up_whatsapp_url(registration, registration.paid_until)
        if registration.paid_until
        else None
    )
    return render(
        request,
        "enrollment/follow_up_form.html",
        {
            "registration": registration,
            "form": form,
            "whatsapp_url": whatsapp,
            "follow_ups": registration.follow_ups.select_related("by"),
        },
    )


@require_POST
@role_required(*ANY_ROLE)
def follow_up_quick(request, pk):
    """The lapsing list's one-click record: reached by the channel of the button pressed."""
    registration = _lapsing_registration(request, pk)
    channel = request.POST.get("channel")
    if channel not in FollowUp.Channel.values:
        messages.error(request, _("Choose how the member was reached."))
        return redirect("lapsing_list")
    follow_up = FollowUp.objects.create(
        registration=registration,
        by=request.user,
        channel=channel,
        paid_until=registration.paid_until,
    )
    messages.success(
        request,
        _("Follow-up of %(name)s recorded (%(channel)s).")
        % {"name": registration.participant.full_name, "channel": follow_up.get_channel_display()},
    )
    return redirect("lapsing_list")


@role_required(*ANY_ROLE)
def lapsing_print(request):
    """The lapsing members as a list to print for door-to-door visits: by village, RW, RT and
    address, with a column to note the answer."""
    today = timezone.localdate()
    registrations = list(
        with_follow_ups(
            Registration.objects.for_user(request.user).lapsing_within(LAPSING_WITHIN_DAYS, today)
        )
        .select_related("participant", "village__district")
        .order_by(
            "village__name",
            "village_id",
            "participant__rw",
            "participant__rt",
            "participant__address",
            "participant__full_name",
        )
    )
    book = ContributionRate.objects.price_book()
    for registration in registrations:
        registration.phone_display = display_phone(registration.participant.phone)
        add_follow_up_details(registration, book)
    return render(
        request,
        "enrollment/follow_up_print.html",
        {
            "registrations": registrations,
            "today": today,
            "until": today + datetime.timedelta(days=LAPSING_WITHIN_DAYS),
            "show_village": not request.user.is_village_operator,
            "show_kpj": request.user.may_see_kpj,
        },
    )
