"""The upload page of contributions paid: branch staff only, preview, confirm, error file."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enrollment.models import Payment, PaymentUpload

from .factories import RegistrationFactory
from .payments_files import payments_csv, row


@pytest.fixture
def member(world):
    return RegistrationFactory(village=world.socorejo, verified=True)


def upload(client, content, name="iuran.csv"):
    return client.post(
        reverse("payment_upload"), {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_branch_staff_upload_preview_and_confirm(client, branch_staff, member):
    client.force_login(branch_staff)
    response = upload(client, payments_csv([row(member, "01/2026"), row(member, "02/2026")]))
    assert response.status_code == 200
    assert b'data-testid="new-count">2<' in response.content
    assert not Payment.objects.exists()  # nothing before confirming
    saved = PaymentUpload.objects.get()
    response = client.post(reverse("payment_upload_confirm", args=[saved.pk]), follow=True)
    assert Payment.objects.count() == 2
    assert b'data-testid="saved-count">2<' in response.content
    again = upload(client, payments_csv([row(member, "01/2026"), row(member, "02/2026")]))
    assert b'data-testid="same-count">2<' in again.content
    assert b'data-testid="confirm"' not in again.content


def test_a_file_with_an_error_cannot_be_saved_and_the_error_file_lists_the_row(
    client, branch_staff, member
):
    client.force_login(branch_staff)
    bad = [member.kpj, "2026/13", "16800", "10-01-2026", ""]
    response = upload(client, payments_csv([row(member, "01/2026"), bad]))
    assert b'data-testid="confirm"' not in response.content
    saved = PaymentUpload.objects.get()
    response = client.post(reverse("payment_upload_confirm", args=[saved.pk]), follow=True)
    assert not Payment.objects.exists()
    errors = client.get(reverse("payment_upload_errors", args=[saved.pk]))
    text = errors.content.decode("utf-8-sig")
    assert "2026/13" in text and "Kesalahan" in text
    assert "01/2026" not in text


def test_the_xlsx_template_has_the_columns(client, branch_staff):
    client.force_login(branch_staff)
    response = client.get(reverse("payment_upload_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == [
        "No. KPJ",
        "Bulan Iuran",
        "Jumlah Iuran",
        "Tanggal Bayar",
        "NIK",
    ]


def test_a_kpj_outside_the_branch_area_is_unknown(client, other_branch_staff, member):
    client.force_login(other_branch_staff)
    response = upload(client, payments_csv([row(member, "01/2026")]))
    assert member.kpj.encode() in response.content
    assert PaymentUpload.objects.get().error_count == 1


def test_village_operators_cannot_upload_payments(client, operator):
    client.force_login(operator)
    assert client.get(reverse("payment_upload")).status_code == 403


def test_an_upload_is_seen_by_its_uploader_only(client, branch_staff, admin_user, member):
    client.force_login(branch_staff)
    upload(client, payments_csv([row(member, "01/2026")]))
    saved = PaymentUpload.objects.get()
    client.force_login(admin_user)
    assert client.get(reverse("payment_upload_preview", args=[saved.pk])).status_code == 404
    assert client.post(reverse("payment_upload_confirm", args=[saved.pk])).status_code == 404
    assert not Payment.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_message(client, branch_staff):
    client.force_login(branch_staff)
    response = upload(client, b"\x00\x01binary", name="iuran.pdf")
    assert response.status_code == 200
    assert not PaymentUpload.objects.exists()
