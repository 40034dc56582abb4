"""django-otp's admin of authenticator apps in the reader's language: its search help, its
sections, its columns, filters, field names and help texts were English on the Indonesian
admin (portal.admin.TOTPDeviceAdmin, portal.third_party.TOTPConfig)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..test_indonesian_words import readable_text

ENGLISH = [
    "Search by",
    "Identity",
    "Timestamps",
    "Configuration",
    "Throttling",
    "Last used at",
    "The user that this device belongs to.",
    "The number of time steps",
    "Throttling failure count",
]


@pytest.fixture
def device(branch_staff):
    return TOTPDevice.objects.create(user=branch_staff, name="Ponsel kantor", confirmed=False)


def page_text(client, url: str, language: str | None = None) -> str:
    if language:
        client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return readable_text(response.text)


def test_the_list_of_authenticator_apps_reads_in_indonesian(client, admin_user, device):
    client.force_login(admin_user)
    text = page_text(client, reverse("admin:otp_totp_totpdevice_changelist"))
    assert "Cari menurut nama pengguna atau alamat email penggunanya." in text
    assert "Terakhir dipakai pada" in text  # a column
    assert "Berdasarkan dikonfirmasi" in text  # a filter
    assert "Cari" in text.splitlines()  # the magnifier's alternative text (Django's "Search")
    assert [word for word in [*ENGLISH, "Search"] if word in text] == []


def test_an_authenticator_app_reads_in_indonesian(client, admin_user, device):
    client.force_login(admin_user)
    text = page_text(client, reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    for indonesian in [
        "Identitas",
        "Pembatasan percobaan",
        "Pengguna pemilik perangkat ini.",
        "Toleransi:",
        "Jumlah percobaan gagal berturut-turut.",
    ]:
        assert indonesian in text
    assert [word for word in ENGLISH if word in text] == []


def test_in_english_they_read_in_english(client, admin_user, device):
    client.force_login(admin_user)
    text = page_text(client, reverse("admin:otp_totp_totpdevice_changelist"), "en")
    assert "Search by the user's username or e-mail address." in text
    text = page_text(client, reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert "Throttling" in text
    assert "The user that this device belongs to." in text


def test_the_search_still_finds_a_users_app(client, admin_user, device):
    client.force_login(admin_user)
    url = reverse("admin:otp_totp_totpdevice_changelist")
    assert "Ponsel kantor" in client.get(url, {"q": device.user.username}).text
    assert "Ponsel kantor" not in client.get(url, {"q": "tidak-ada"}).text
