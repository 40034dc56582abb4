import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment import services, views
from enrollment.models import Participant, Registration, RegistrationEvent

from .registering import checked, form_post, nik_for, register


def test_operator_sees_the_premium_before_saving(client, operator, world):
    """The first submit checks the form and shows the premium; nothing is saved yet."""
    client.force_login(operator)
    post = form_post(world.socorejo, declared_income="Rp 1.000.000", jht="on")
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert response.status_code == 200
    assert "Rp36.800" in response.text
    assert not Registration.objects.exists()


def test_operator_registers_a_resident_with_birth_date_and_sex_from_the_nik(
    client, operator, world
):
    """Saving creates a submitted registration; blank birth date and sex come from the NIK."""
    client.force_login(operator)
    nik = nik_for(world.socorejo, birth="080190", female=True, serial=7)
    post = form_post(world.socorejo, nik=nik, full_name="Siti Aminah", phone="0812-3456-7890")
    post = checked(client, reverse("registration_create"), post)
    response = client.post(reverse("registration_create"), post)
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == registration.get_absolute_url()
    participant = registration.participant
    assert participant.birth_date == datetime.date(1990, 1, 8)
    assert participant.sex == "F"
    assert participant.phone == "6281234567890"
    assert registration.status == "submitted"
    assert registration.monthly_premium == 16_800
    assert registration.entered_by == operator
    assert [event.action for event in registration.events.all()] == ["created"]


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("35231208019", "NIK terdiri atas 16 digit"),
        ("35231208O1900001", "NIK hanya berisi angka"),
        ("3523123102900001", "tanggal"),
        ("3.52312E+15", "Ubah format kolom NIK menjadi Teks"),
        ("3523120801900001.0", "Ubah format kolom NIK menjadi Teks"),
        ("9923120801900001", "bukan kode provinsi"),
    ],
)
def test_a_malformed_nik_is_refused_with_a_message_that_says_why(
    client, operator, world, nik, message
):
    """Each way of being malformed has its own Indonesian message; nothing is saved."""
    client.force_login(operator)
    post = form_post(world.socorejo, nik=nik)
    response = client.post(reverse("registration_create"), {**post, "save": "1"})
    assert response.status_code == 200
    assert message in response.text
    assert not Registration.objects.exists()


def test_a_nik_from_another_district_is_allowed_with_a_notice(client, operator, world):
    """People work away from home: a NIK from Kerek registered in Socorejo shows a notice."""
    client.force_login(operator)
    post = form_post(world.socorejo, nik=nik_for(world.karanglo))
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "diterbitkan di kecamatan lain (35.23.08)" in response.text
    post = {**post, "save": "1", "priced": response.context["priced"]}
    response = client.post(reverse("registration_create"), post)
    assert response.status_code == 302
    assert Registration.objects.get().participant.nik_region_differs


def test_a_birth_date_that_differs_from_the_nik_is_kept_once_confirmed(client, operator, world):
    """A corrected birth date is refused until the operator confirms it (issue 18: the NIK
    keeps the old one); confirmed, it is kept as typed with a warning."""
    client.force_login(operator)
    post = form_post(
        world.socorejo, nik=nik_for(world.socorejo, birth="080190"), birth_date="1990-01-09"
    )
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "Menurut NIK, lahir 08-01-1990" in response.text
    assert response.context["premium_total"] is None
    post["confirm_differences"] = "on"
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert "berbeda dengan tanggal lahir di NIK (08-01-1990)" in response.text
    client.post(
        reverse("registration_create"),
        {**post, "save": "1", "priced": response.context["priced"]},
    )
    assert Participant.objects.get().birth_date == datetime.date(1990, 1, 9)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("declared_income", "satu juta", "nominal dalam rupiah"),
        ("phone", "08abc", "nomor telepon"),
        ("funding_source", "csr", "Sebutkan perusahaan"),
        ("category", "astronaut", "Masukkan pilihan yang valid"),
    ],
)
def test_bad_input_gets_a_clear_message(client, operator, world, field, value, message):
    """Income out of range, garbage amounts and phones, CSR without a company, unknown
    categories: each is refused with an Indonesian message, never a 500."""
    client.force_login(operator)
    post = form_post(world.socorejo, **{field: value})
    response = client.post(reverse("registration_create"), {**post, "save": "1"})
    assert response.status_code == 200
    assert message.lower() in response.text.lower()
    assert not Registration.objects.exists()


def test_the_same_nik_twice_in_the_same_village_links_to_the_registration(client, operator, world):
    """The second registration of a NIK is refused with a link to the first."""
    first = register(world.socorejo, operator)
    client.force_login(operator)
    post = form_post(world.socorejo, nik=first.participant.nik)
    response = client.post(reverse("registration_create"), {**post, "save": "1"})
    assert response.status_code == 200
    assert "NIK ini sudah terdaftar" in response.text
    assert first.get_absolute_url() in response.text
    assert Registration.objects.count() == 1


def test_a_nik_registered_in_another_village_reveals_nothing(
    client, operator, other_operator, world
):
    """The operator learns the NIK exists elsewhere, but not where, nor the person's data."""
    elsewhere = register(
        world.karanglewas,
        other_operator,
        full_name="Dwi Noto Suhino",
        nik=nik_for(world.karanglewas),
    )
    client.force_login(operator)
    post = form_post(world.socorejo, nik=elsewhere.participant.nik, full_name="Orang Lain")
    response = client.post(reverse("registration_create"), {**post, "save": "1"})
    assert "sudah terdaftar di desa lain" in response.text
    assert "Karanglewas" not in response.text
    assert "Dwi Noto Suhino" not in response.text
    assert elsewhere.get_absolute_url() not in response.text


def test_nik_uniqueness_is_enforced_by_the_database(operator, world):
    """Even past the form, the database refuses a second participant with the same NIK."""
    first = register(world.socorejo, operator)
    with pytest.raises(services.DuplicateNik):
        register(world.socorejo, operator, nik=first.participant.nik)
    assert Participant.objects.count() == 1


def test_the_operator_edits_a_submitted_registration_and_history_keeps_it(client, operator, world):
    """Changes while submitted are saved and the history lists old and new values."""
    registration = register(world.socorejo, operator, full_name="Sutrisno")
    client.force_login(operator)
    post = form_post(
        world.socorejo,
        nik=registration.participant.nik,
        full_name="Sutrisno Adi",
        declared_income="2000000",
    )
    url = reverse("registration_edit", args=[registration.pk])
    response = client.post(url, checked(client, url, post))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.participant.full_name == "Sutrisno Adi"
    assert registration.monthly_premium == 26_800
    edit = registration.events.get(action="edited")
    assert edit.changes["full_name"] == ["Sutrisno", "Sutrisno Adi"]
    assert edit.changes["declared_income"] == [1_000_000, 2_000_000]
    page = client.get(registration.get_absolute_url())
    assert "Sutrisno Adi" in page.text
    assert "Diubah" in page.text


def test_a_verified_registration_cannot_be_edited(client, operator, branch_staff, world):
    """Once verified, the operator's edit page sends them back with a message."""
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="12345678901", by=branch_staff)
    client.force_login(operator)
    response = client.post(
        reverse("registration_edit", args=[registration.pk]),
        form_post(world.socorejo, full_name="Lain"),
        follow=True,
    )
    assert "menunggu verifikasi atau dikembalikan ke desa" in response.text
    registration.refresh_from_db()
    assert registration.participant.full_name == "Sutrisno"


def test_branch_staff_verify_with_a_kpj_number(client, operator, branch_staff, world):
    """Verifying records the KPJ, the status and who did it."""
    registration = register(world.socorejo, operator)
    client.force_login(branch_staff)
    client.post(reverse("registration_verify", args=[registration.pk]), {"kpj": "19000000001"})
    registration.refresh_from_db()
    assert registration.status == "verified"
    assert registration.kpj == "19000000001"
    event = registration.events.get(action="verified")
    assert event.by == branch_staff
    client.post(reverse("registration_activate", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == "active"


@pytest.mark.parametrize(
    ("kpj", "message"),
    [
        ("1234567890", "tepat 11 digit"),
        ("1234567890a", "tepat 11 digit"),
        ("19000000001", "sudah dimiliki pendaftaran lain"),
    ],
)
def test_a_bad_or_used_kpj_is_refused(client, operator, branch_staff, world, kpj, message):
    """A KPJ must have 11 digits and belong to nobody else."""
    taken = register(world.socorejo, operator)
    services.registration_verify(registration=taken, kpj="19000000001", by=branch_staff)
    registration = register(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.post(
        reverse("registration_verify", args=[registration.pk]), {"kpj": kpj}, follow=True
    )
    assert message in response.text
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_rejection_needs_a_reason_and_the_operator_reads_it(client, operator, branch_staff, world):
    """A rejection without a reason is refused; with one, the operator sees it."""
    registration = register(world.socorejo, operator)
    client.force_login(branch_staff)
    client.post(reverse("registration_reject", args=[registration.pk]), {"reason": "  "})
    registration.refresh_from_db()
    assert registration.status == "submitted"
    client.post(
        reverse("registration_reject", args=[registration.pk]), {"reason": "Foto KTP tidak terbaca"}
    )
    registration.refresh_from_db()
    assert registration.status == "rejected"
    client.force_login(operator)
    assert "Foto KTP tidak terbaca" in client.get(registration.get_absolute_url()).text


def test_the_queue_verifies_several_at_once(client, operator, branch_staff, world):
    """Several selected rows with their KPJ numbers are verified together."""
    first, second, third = (register(world.socorejo, operator) for _ in range(3))
    client.force_login(branch_staff)
    response = client.post(
        reverse("verification_queue"),
        {
            "action": "verify",
            "selected": [first.pk, second.pk],
            f"kpj-{first.pk}": "19000000011",
            f"kpj-{second.pk}": "19000000012",
            f"kpj-{third.pk}": "",
        },
    )
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "verified", second.pk: "verified", third.pk: "submitted"}


def test_the_queue_verifies_nothing_when_one_kpj_is_wrong(client, operator, branch_staff, world):
    """All or nothing: one bad KPJ leaves every selected row submitted, the error marked."""
    first, second = (register(world.socorejo, operator) for _ in range(2))
    client.force_login(branch_staff)
    response = client.post(
        reverse("verification_queue"),
        {
            "action": "verify",
            "selected": [first.pk, second.pk],
            f"kpj-{first.pk}": "19000000011",
            f"kpj-{second.pk}": "123",
        },
    )
    assert response.status_code == 200
    assert "tepat 11 digit" in response.text
    assert not Registration.objects.verified().exists()


def test_the_queue_rejects_several_with_one_reason(client, operator, branch_staff, world):
    """Several rows rejected at once all carry the reason."""
    first, second = (register(world.socorejo, operator) for _ in range(2))
    client.force_login(branch_staff)
    client.post(
        reverse("verification_queue"),
        {
            "action": "reject",
            "selected": [first.pk, second.pk],
            "reason": "Data ganda",
        },
    )
    assert set(Registration.objects.values_list("status", "rejection_reason")) == {
        ("rejected", "Data ganda")
    }


def test_the_queue_is_oldest_first_and_filters_by_village(client, operator, branch_staff, world):
    """Branch staff see their area's submitted registrations, oldest first, filterable."""
    karanglo_operator = type(operator).objects.create(
        username="karanglo", role="village_operator", village=world.karanglo
    )
    newer = register(world.socorejo, operator, full_name="Baru")
    older = register(world.karanglo, karanglo_operator, full_name="Lama")
    Registration.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - datetime.timedelta(days=3)
    )
    client.force_login(branch_staff)
    rows = client.get(reverse("verification_queue")).context["rows"]
    assert [row["registration"] for row in rows] == [older, newer]
    rows = client.get(reverse("verification_queue"), {"village": world.socorejo.pk}).context["rows"]
    assert [row["registration"] for row in rows] == [newer]


def test_the_list_searches_and_filters(client, operator, world):
    """Search by name or NIK start, filter by status and program."""
    siti = register(world.socorejo, operator, full_name="Siti Aminah", jht=True)
    register(world.socorejo, operator, full_name="Budi")
    client.force_login(operator)
    for params in [{"q": "aminah"}, {"q": siti.participant.nik}, {"program": "jht"}]:
        response = client.get(reverse("registration_list"), params)
        names = [row.record.participant.full_name for row in response.context["table"].rows]
        assert names == ["Siti Aminah"], params


def test_lists_show_the_nik_masked_and_the_page_shows_it_whole(client, operator, world):
    """In lists the NIK is masked (first 6 and last 4 digits); whole on the registration."""
    registration = register(world.socorejo, operator)
    nik = registration.participant.nik
    client.force_login(operator)
    listing = client.get(reverse("registration_list")).text
    assert nik not in listing
    assert f"{nik[:6]}******{nik[-4:]}" in listing
    assert nik in client.get(registration.get_absolute_url()).text


def test_every_change_is_in_the_history(operator, branch_staff, world):
    """Created, verified and activated: who and when, in order."""
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19000000099", by=branch_staff)
    services.registration_activate(registration=registration, by=branch_staff)
    history = list(
        RegistrationEvent.objects.filter(registration=registration).values_list(
            "action", "by__username"
        )
    )
    assert history == [("created", "socorejo"), ("verified", "cabang"), ("activated", "cabang")]


def test_operators_never_see_the_kpj_number(client, operator, branch_staff, world):
    """Villages see the status; the KPJ number (tied to the member's balance) stays with the
    branch: not on the page, not in the history."""
    registration = register(world.socorejo, operator)
    services.registration_verify(registration=registration, kpj="19000000077", by=branch_staff)
    client.force_login(operator)
    page = client.get(registration.get_absolute_url()).text
    assert "Terverifikasi" in page
    assert "19000000077" not in page
    assert "19000000077" not in client.get(reverse("registration_list")).text
    csv_export = client.get(reverse("registration_export", args=["csv"])).content.decode()
    assert "KPJ" not in csv_export and "19000000077" not in csv_export
    bpjs_export = client.get(reverse("registration_export", args=["bpjs"]))
    cells = [v for row in load_workbook(io.BytesIO(bpjs_export.content)).active.values for v in row]
    assert "KPJ" not in cells and "19000000077" not in cells
    client.force_login(branch_staff)
    assert "19000000077" in client.get(registration.get_absolute_url()).text


def test_a_long_queue_is_counted_up_to_a_limit(client, operator, branch_staff, world, monkeypatch):
    """Beyond the limit the queue says "more than", without counting every waiting row."""
    monkeypatch.setattr(views, "QUEUE_COUNT_LIMIT", 2)
    for _ in range(3):
        register(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(reverse("verification_queue"))
    assert "Lebih dari 2 pendaftaran" in response.text
    assert len(response.context["rows"]) == 3


def test_the_queue_shows_the_oldest_batch_and_the_next_one_once_verified(
    client, operator, branch_staff, world, monkeypatch
):
    """A batch at a time, oldest first (each row needs its KPJ typed in); once the batch is
    verified the next one comes up."""
    monkeypatch.setattr(views, "QUEUE_BATCH", 3)
    registrations = [register(world.socorejo, operator) for _ in range(5)]
    start = timezone.now() - datetime.timedelta(days=10)
    for days, registration in enumerate(registrations):
        Registration.objects.filter(pk=registration.pk).update(
            created_at=start + datetime.timedelta(days=days)
        )
    client.force_login(branch_staff)
    response = client.get(reverse("verification_queue"))
    assert [row["registration"] for row in response.context["rows"]] == registrations[:3]
    assert "5 pendaftaran, yang terlama lebih dulu · 3 yang pertama ditampilkan" in response.text
    data = {"action": "verify", "selected": [r.pk for r in registrations[:3]]}
    data.update({f"kpj-{r.pk}": f"1900000010{n}" for n, r in enumerate(registrations[:3])})
    assert client.post(reverse("verification_queue"), data).status_code == 302
    response = client.get(reverse("verification_queue"))
    assert [row["registration"] for row in response.context["rows"]] == registrations[3:]
