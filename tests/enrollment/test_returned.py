"""A rejected registration goes back to its village: the operator sees the reason, fixes it (or
withdraws it) and sends it again; the branch sees it in the queue again; the operator hears of
decisions at once (issue #20, points 3 and 4)."""

from django.urls import reverse

from campaigns.models import CampaignVillage
from enrollment import services
from enrollment.models import Registration
from portal.models import Notification

from ..campaigns.factories import CampaignFactory
from .registering import checked, form_post, register, registration_data


def _rejected(world, operator, branch_staff, **overrides) -> Registration:
    registration = register(world.socorejo, operator, **overrides)
    services.registrations_reject(
        registrations=[registration], reason="Penghasilan tidak wajar", by=branch_staff
    )
    registration.refresh_from_db()
    return registration


def test_the_operator_sees_the_reason_and_a_way_to_fix_a_rejected_registration(
    client, world, operator, branch_staff
):
    registration = _rejected(world, operator, branch_staff)
    client.force_login(operator)
    page = client.get(registration.get_absolute_url()).text
    assert "Penghasilan tidak wajar" in page
    assert reverse("registration_edit", args=[registration.pk]) in page
    assert "Perbaiki dan kirim ulang" in page
    assert reverse("registration_withdraw", args=[registration.pk]) in page


def test_a_fixed_registration_is_sent_again_and_waits_in_the_branch_queue(
    client, world, operator, branch_staff
):
    """Fixed and sent again: submitted, reason cleared, history says edited then sent again
    (the rejection with its reason stays in it), and the queue lists it again."""
    registration = _rejected(world, operator, branch_staff, declared_income=9_000_000)
    client.force_login(operator)
    url = reverse("registration_edit", args=[registration.pk])
    page = client.get(url)
    assert "Penghasilan tidak wajar" in page.text
    post = form_post(world.socorejo, nik=registration.participant.nik, declared_income="1500000")
    response = client.post(url, checked(client, url, post))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.rejection_reason == ""
    assert registration.declared_income == 1_500_000
    actions = list(registration.events.values_list("action", "note"))
    assert [action for action, _note in actions] == ["created", "rejected", "edited", "sent_again"]
    assert ("rejected", "Penghasilan tidak wajar") in actions
    client.force_login(branch_staff)
    queue = client.get(reverse("verification_queue"))
    assert registration.participant.full_name in queue.text
    assert registration.get_absolute_url() in queue.text


def test_sending_again_recounts_the_campaigns(world, operator, branch_staff):
    """A campaign counting submitted registrations drops a rejected one and counts it again when
    it is sent again (the numbers are kept in step in the same transaction)."""
    campaign = CampaignFactory(
        branch_office=world.bojonegoro, villages=[world.socorejo], counts="submitted"
    )
    registration = register(world.socorejo, operator)
    row = CampaignVillage.objects.get(campaign=campaign, village=world.socorejo)
    counted = row.counted
    services.registrations_reject(registrations=[registration], reason="KTP buram", by=branch_staff)
    row.refresh_from_db()
    assert row.counted == counted - 1
    registration.refresh_from_db()
    participant = registration.participant
    data = registration_data(
        world.socorejo, nik=participant.nik, birth_date=participant.birth_date, sex=participant.sex
    )
    services.registration_send_again(registration=registration, by=operator, data=data)
    row.refresh_from_db()
    assert row.counted == counted


def test_the_operator_withdraws_a_rejected_registration(client, world, operator, branch_staff):
    registration = _rejected(world, operator, branch_staff)
    client.force_login(operator)
    response = client.post(reverse("registration_withdraw", args=[registration.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "withdrawn"
    assert registration.events.last().action == "withdrawn"
    assert "Ditarik kembali" in client.get(registration.get_absolute_url()).text


def test_a_verified_registration_cannot_be_withdrawn(client, world, operator, branch_staff):
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)
    client.force_login(operator)
    response = client.post(reverse("registration_withdraw", args=[registration.pk]), follow=True)
    assert "belum diverifikasi yang dapat ditarik" in response.text
    registration.refresh_from_db()
    assert registration.status == "verified"


def test_registering_a_rejected_nik_again_offers_the_rejected_record_to_fix(
    client, world, operator, branch_staff
):
    """Not a dead end: the form links to the rejected registration's edit page."""
    registration = _rejected(world, operator, branch_staff)
    client.force_login(operator)
    post = form_post(world.socorejo, nik=registration.participant.nik)
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "pernah didaftarkan dan dikembalikan ke desa (ditolak)" in response.text
    assert reverse("registration_edit", args=[registration.pk]) in response.text


def test_the_operator_hears_of_a_verification_at_once_without_the_job(
    world, operator, branch_staff
):
    """The bell has the notice as soon as the branch verifies: no scheduled job needed; the
    job later creates nothing twice. The operator's notice names no KPJ number."""
    registration = register(world.socorejo, operator, full_name="Sri Rahayu")
    services.registration_verify(registration=registration, kpj="19012345678", by=branch_staff)
    notice = Notification.objects.get(user=operator)
    assert notice.kind == "verified"
    assert "Sri Rahayu" in notice.text
    assert notice.url == registration.get_absolute_url()
    assert "19012345678" not in notice.text


def test_the_operator_hears_of_a_rejection_at_once_with_the_reason(
    client, world, operator, branch_staff
):
    registration = register(world.socorejo, operator, full_name="Sutrisno")
    client.force_login(branch_staff)
    client.post(
        reverse("registration_reject", args=[registration.pk]), {"reason": "Foto KTP buram"}
    )
    notice = Notification.objects.get(user=operator)
    assert notice.kind == "rejected"
    assert "Foto KTP buram" in notice.text
    client.force_login(operator)
    assert 'data-testid="bell-count"' in client.get(reverse("registration_list")).text
