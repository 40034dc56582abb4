"""Notifications and the scheduled job: branch staff's daily digest of registrations waiting in
their area, operators' notices of verifications, rejections and ending village-funded periods;
nothing is sent twice; the bell and the list."""

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment import notices as registration_notices
from enrollment import services
from portal import notifications
from portal.context_processors import notifications as notifications_context
from portal.models import Notification

from ..enrollment.registering import register
from ..factories import UserFactory


@pytest.fixture
def english(branch_staff, other_branch_staff, operator, other_operator):
    """Everyone reads English with an address, so the assertions read the msgids."""
    for user in [branch_staff, other_branch_staff, operator, other_operator]:
        user.language = "en"
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["language", "email"])


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


@pytest.fixture
def pending(world, operator, other_operator, branch_staff):
    """Waiting: two in Socorejo and one in Karanglo (Tuban), one in Karanglewas (Banyumas);
    verified or rejected ones do not wait."""
    karanglo_operator = UserFactory(username="karanglo", village=world.karanglo)
    register(world.socorejo, operator, full_name="Sri Rahayu")
    register(world.socorejo, operator, full_name="Sutrisno")
    register(world.karanglo, karanglo_operator, full_name="Joko Susilo")
    register(world.karanglewas, other_operator, full_name="Wahyu Banyumas")
    done = register(world.socorejo, operator, full_name="Sudah Verifikasi")
    services.registration_verify(registration=done, kpj="19000000001", by=branch_staff)
    rejected = register(world.socorejo, operator, full_name="Sudah Ditolak")
    services.registrations_reject(registrations=[rejected], reason="KTP buram", by=branch_staff)
    # Decided more than a week ago: the job's look-back leaves them alone.
    done.events.update(at=timezone.now() - datetime.timedelta(days=30))
    rejected.events.update(at=timezone.now() - datetime.timedelta(days=30))


def test_digests_hold_exactly_the_pending_registrations_of_the_recipients_area(
    world, branch_staff, other_branch_staff, english, pending
):
    """KC Bojonegoro hears of Tuban's three, per village; KC Purwokerto of Banyumas' one."""
    counts = registration_notices.reminders_run()
    assert counts["digests"] == 2

    [bojonegoro] = mails_to(branch_staff)
    assert "3 registrations in your area wait for verification" in bojonegoro.body
    assert "Socorejo (Jenu): 2" in bojonegoro.body
    assert "Karanglo (Kerek): 1" in bojonegoro.body
    assert "Karanglewas" not in bojonegoro.body
    assert settings.PORTAL_URL + reverse("verification_queue") in bojonegoro.body

    [purwokerto] = mails_to(other_branch_staff)
    assert "1 registration in your area waits for verification" in purwokerto.body
    assert "Karanglewas (Jatilawang): 1" in purwokerto.body
    assert "Socorejo" not in purwokerto.body

    digest = Notification.objects.get(user=branch_staff)
    assert digest.kind == "pending"
    assert digest.url == reverse("verification_queue")
    assert digest.emailed_at is not None


def test_the_job_run_twice_sends_nothing_twice(world, branch_staff, operator, english, pending):
    first = registration_notices.reminders_run()
    sent = len(mail.outbox)
    stored = Notification.objects.count()
    assert first["emails"] == sent > 0
    second = registration_notices.reminders_run()
    assert second == {"digests": 0, "decisions": 0, "lapsing": 0, "emails": 0}
    assert len(mail.outbox) == sent
    assert Notification.objects.count() == stored


def test_the_next_day_brings_a_new_digest(world, branch_staff, english, pending):
    today = timezone.localdate()
    registration_notices.reminders_run(today=today)
    registration_notices.reminders_run(today=today + datetime.timedelta(days=1))
    assert Notification.objects.filter(user=branch_staff, kind="pending").count() == 2


def test_no_digest_when_nothing_waits(world, branch_staff, english):
    registration_notices.reminders_run()
    assert not Notification.objects.filter(user=branch_staff).exists()
    assert not mail.outbox


def test_deactivated_staff_get_no_digest(world, branch_staff, english, pending):
    branch_staff.is_active = False
    branch_staff.save(update_fields=["is_active"])
    registration_notices.reminders_run()
    assert not Notification.objects.filter(user=branch_staff).exists()
    assert not mails_to(branch_staff)


def test_operators_hear_of_verifications_and_rejections_with_the_reason(
    world, branch_staff, operator, other_operator, english
):
    """One notice per decision to every active operator of the village, one mail per run."""
    verified = register(world.socorejo, operator, full_name="Sri Rahayu")
    rejected = register(world.socorejo, operator, full_name="Sutrisno")
    services.registration_verify(registration=verified, kpj="19012345678", by=branch_staff)
    services.registrations_reject(
        registrations=[rejected], reason="Foto KTP tidak terbaca", by=branch_staff
    )
    registration_notices.reminders_run()

    notices = Notification.objects.filter(user=operator).order_by("pk")
    assert [(n.kind, n.url) for n in notices] == [
        ("verified", verified.get_absolute_url()),
        ("rejected", rejected.get_absolute_url()),
    ]
    # Operators never see a KPJ number (User.may_see_kpj): not in the notice, not in the mail.
    assert notices[0].text == "The registration of Sri Rahayu was verified."
    assert notices[1].text == "The registration of Sutrisno was rejected: Foto KTP tidak terbaca"
    [message] = mails_to(operator)
    assert message.subject == "Desa Sadar: 2 new notifications"
    assert "The registration of Sri Rahayu was verified." in message.body
    assert "19012345678" not in message.body
    assert "Foto KTP tidak terbaca" in message.body
    assert not Notification.objects.filter(user=other_operator).exists()


def test_operators_without_an_address_see_notices_in_the_portal_only(world, branch_staff, operator):
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)
    counts = registration_notices.reminders_run()
    assert counts["decisions"] == 0  # notified at once by the verification itself
    assert counts["emails"] == 0
    assert Notification.objects.get(user=operator).emailed_at is None


def test_an_address_added_later_does_not_bring_old_notices(world, branch_staff, operator):
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)
    registration_notices.reminders_run()
    operator.email = "socorejo@example.org"
    operator.save(update_fields=["email"])
    later = timezone.now() + notifications.EMAIL_WITHIN + datetime.timedelta(minutes=1)
    assert notifications.notification_emails_send(now=later) == 0


def test_a_failed_mail_is_tried_again_by_the_next_run(
    world, branch_staff, operator, english, monkeypatch
):
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)

    def broken_send(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken_send)
    with pytest.raises(OSError):
        registration_notices.reminders_run()
    monkeypatch.undo()
    assert Notification.objects.get(user=operator).emailed_at is None
    assert registration_notices.reminders_run()["emails"] == 1
    assert len(mails_to(operator)) == 1


def _lapsing(world, operator, branch_staff, *, source, ends_in, kpj):
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj=kpj, by=branch_staff)
    today = timezone.localdate()
    services.funded_period_add(
        registration=registration,
        by=branch_staff,
        funding_source=source,
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=ends_in),
    )
    return registration


def test_operators_hear_of_village_funded_periods_ending_within_30_days(
    world, branch_staff, operator, other_operator, english
):
    """Dana Desa and ADD periods ending within 30 days, grouped by end date; periods the member
    pays, or ending later, are left out."""
    for n, (source, ends_in) in enumerate(
        [("dana_desa", 10), ("add", 10), ("dana_desa", 20), ("mandiri", 10), ("dana_desa", 45)]
    ):
        _lapsing(
            world, operator, branch_staff, source=source, ends_in=ends_in, kpj=f"1900000010{n}"
        )
    counts = registration_notices.reminders_run()
    assert counts["lapsing"] == 2
    today = timezone.localdate()
    reminders = Notification.objects.filter(user=operator, kind="lapsing").order_by("key")
    soon = (today + datetime.timedelta(days=10)).strftime("%d-%m-%Y")
    later = (today + datetime.timedelta(days=20)).strftime("%d-%m-%Y")
    assert [n.text for n in reminders] == [
        f"The Dana Desa or ADD period of 2 members ends on {soon}: remind them to keep paying "
        "on their own.",
        f"The Dana Desa or ADD period of 1 member ends on {later}: remind them to keep paying "
        "on their own.",
    ]
    assert reminders[0].url == reverse("lapsing_list")
    assert not Notification.objects.filter(user=other_operator).exists()
    assert registration_notices.reminders_run()["lapsing"] == 0


def test_notifications_follow_the_recipients_language(world, branch_staff, operator):
    """Texts are written in the recipient's language at creation (Indonesian by default)."""
    operator.language = "id"
    operator.save(update_fields=["language"])
    registration = register(world.socorejo, operator, full_name="Sri Rahayu")
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)
    english_operator = UserFactory(username="socorejo-en", village=world.socorejo)
    english_operator.language = "en"
    english_operator.save(update_fields=["language"])
    registration_notices.reminders_run()
    assert Notification.objects.get(user=english_operator).text.startswith("The registration of")
    # Indonesian, and without the KPJ number (operators never see one).
    assert Notification.objects.get(user=operator).text == (
        "Pendaftaran Sri Rahayu sudah diverifikasi."
    )


def test_the_command_runs_the_job(world, branch_staff, english, pending):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "digests: 2" in out.getvalue()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == "digests: 0, decisions: 0, lapsing: 0, e-mails: 0"


def test_notify_creates_a_key_once(world, operator):
    first = notifications.notify(user=operator, kind="verified", key="x", text="a")
    again = notifications.notify(user=operator, kind="verified", key="x", text="b")
    assert first is not None and again is None
    assert Notification.objects.get(user=operator).text == "a"


def test_the_bell_counts_unread_notifications_in_one_query(
    world, operator, django_assert_num_queries
):
    for key in ["a", "b", "c"]:
        notifications.notify(user=operator, kind="verified", key=key, text=key)
    notifications.notifications_mark_read(user=operator, pk=Notification.objects.get(key="c").pk)
    request = RequestFactory().get("/")
    request.user = operator
    context = notifications_context(request)
    with django_assert_num_queries(1):  # counted once, however often the page asks
        html = render_to_string("includes/notification_bell.html", context)
        assert notifications_context(request)["unread_notification_count"]() == 2
    assert 'data-testid="bell-count"' in html
    assert ">2</span>" in html
    assert reverse("notification_list") in html


def test_every_page_loads_the_user_and_the_bells_count_in_one_query(client, world, operator):
    """The bell is on every page: its count comes with the request's user, and follows a
    notification being read or added at the next request."""
    for key in ["a", "b"]:
        notifications.notify(user=operator, kind="verified", key=key, text=key)
    client.force_login(operator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("account_settings"))
    assert ">2</span>" in response.text
    counts = [q["sql"] for q in queries if 'FROM "portal_notification"' in q["sql"]]
    assert len(counts) == 1 and 'FROM "portal_user"' in counts[0]

    client.post(reverse("notification_read", args=[Notification.objects.get(key="a").pk]))
    assert ">1</span>" in client.get(reverse("notification_list")).text
    notifications.notify(user=operator, kind="verified", key="c", text="c")
    assert ">2</span>" in client.get(reverse("notification_list")).text
    client.post(reverse("notification_read_all"))
    assert "bell-count" not in client.get(reverse("notification_list")).text


def test_the_bell_shows_no_count_without_unread(world, operator):
    request = RequestFactory().get("/")
    request.user = operator
    html = render_to_string("includes/notification_bell.html", notifications_context(request))
    assert "bell-count" not in html


def test_anonymous_users_get_no_count(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    assert notifications_context(request) == {}


def test_the_list_shows_only_ones_own_notifications(client, world, operator, other_operator):
    notifications.notify(user=operator, kind="verified", key="a", text="Untuk Socorejo")
    notifications.notify(user=other_operator, kind="verified", key="a", text="Untuk Karanglewas")
    client.force_login(operator)
    response = client.get(reverse("notification_list"))
    assert "Untuk Socorejo" in response.text
    assert "Untuk Karanglewas" not in response.text


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, world, operator):
    notification = notifications.notify(
        user=operator, kind="verified", key="a", text="x", url="/pendaftaran/"
    )
    client.force_login(operator)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response["Location"] == "/pendaftaran/"
    notification.refresh_from_db()
    assert notification.is_read


def test_a_notification_never_redirects_off_site(client, world, operator):
    notification = notifications.notify(
        user=operator, kind="verified", key="a", text="x", url="https://evil.example/"
    )
    client.force_login(operator)
    response = client.post(reverse("notification_read", args=[notification.pk]))
    assert response["Location"] == reverse("notification_list")


def test_another_users_notification_stays_unread(client, world, operator, other_operator):
    notification = notifications.notify(user=operator, kind="verified", key="a", text="x")
    client.force_login(other_operator)
    assert client.post(reverse("notification_read", args=[notification.pk])).status_code == 404
    client.post(reverse("notification_read_all"))
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_as_read(client, world, operator):
    for key in ["a", "b"]:
        notifications.notify(user=operator, kind="verified", key=key, text=key)
    client.force_login(operator)
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(user=operator, read_at__isnull=True).exists()
