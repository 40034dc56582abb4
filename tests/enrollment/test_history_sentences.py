"""A registration's history reads as sentences in the reader's language: never field names,
True/False or None (issue #20)."""

import pytest
from django.urls import reverse

from enrollment import services

from .registering import register, registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_and_verified(world, operator, branch_staff):
    registration = register(world.socorejo, operator, declared_income=5_000_000)
    data = registration_data(
        world.socorejo,
        nik=registration.participant.nik,
        birth_date=registration.participant.birth_date,
        sex=registration.participant.sex,
        declared_income=1_500_000,
        jht=True,
        phone="081234567890",
    )
    services.registration_update(registration=registration, by=operator, data=data)
    services.registration_verify(registration=registration, kpj="19099990001", by=branch_staff)
    return registration


def test_branch_staff_read_the_history_as_sentences(client, branch_staff, changed_and_verified):
    client.force_login(branch_staff)
    text = client.get(reverse("registration_detail", args=[changed_and_verified.pk])).text
    assert "Penghasilan diubah dari Rp5.000.000 menjadi Rp1.500.000" in text
    assert "JHT (Jaminan Hari Tua) diubah dari Tidak menjadi Ya" in text
    assert "diisi 0812-3456-7890" in text
    assert "Diverifikasi dengan KPJ 19099990001" in text
    for raw in ("declared_income", "<code>", "True", "False", "None", "→"):
        assert raw not in text


def test_operators_history_never_shows_the_kpj(client, operator, changed_and_verified):
    client.force_login(operator)
    text = client.get(reverse("registration_detail", args=[changed_and_verified.pk])).text
    assert "Penghasilan diubah dari Rp5.000.000 menjadi Rp1.500.000" in text
    assert "19099990001" not in text


def test_the_history_follows_the_readers_language(client, branch_staff, changed_and_verified):
    client.force_login(branch_staff)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("registration_detail", args=[changed_and_verified.pk])).text
    assert "Income changed from Rp5,000,000 to Rp1,500,000" in text
    assert "Verified with KPJ 19099990001" in text


def test_the_admin_shows_the_same_sentences(client, admin_user, changed_and_verified):
    client.force_login(admin_user)
    url = reverse("admin:enrollment_registration_change", args=[changed_and_verified.pk])
    text = client.get(url).text
    assert "Penghasilan diubah dari Rp5.000.000 menjadi Rp1.500.000" in text
    assert "Diverifikasi dengan KPJ 19099990001" in text
    assert "&quot;declared_income&quot;" not in text  # the stored changes, as JSON
    assert "&quot;status&quot;" not in text
