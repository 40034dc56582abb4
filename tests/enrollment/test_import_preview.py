"""What the import preview says (issue #20, point 12): the rows skipped as already registered
by name, the villages by name, the payer chosen on the upload form for a file without a Sumber
Dana column, and an estimate of the rows that are filled, not formatted."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from enrollment import importing
from enrollment.models import ImportBatch, Registration

from .registering import register
from .test_import_views import as_csv, resident, upload_ok

TEMPLATE_COLUMNS = ["NIK", "Nama Lengkap", "Kategori", "Penghasilan", "Sumber Dana"]


def test_the_preview_names_the_rows_skipped_as_already_registered(client, operator, world):
    taken = register(world.socorejo, operator, full_name="Sri Rahayu")
    client.force_login(operator)
    rows = [
        resident(world.socorejo, **{"Nama Lengkap": "Budi"}),
        resident(world.socorejo, NIK=taken.participant.nik, **{"Nama Lengkap": "Sri Rahayu"}),
    ]
    batch = upload_ok(client, as_csv(rows))
    page = client.get(batch.get_absolute_url()).text
    assert batch.existing_count == 1
    assert 'data-testid="existing"' in page
    assert "Baris 3: Sri Rahayu · " + taken.participant.masked_nik in page
    assert taken.participant.nik not in page


def test_the_preview_names_each_rows_village(client, branch_staff, world):
    """Branch staff's files name villages by code; the preview shows their names."""
    client.force_login(branch_staff)
    rows = [resident(world.socorejo, **{"Kode Desa": world.socorejo.code})]
    batch = upload_ok(client, as_csv(rows))
    response = client.get(batch.get_absolute_url())
    [row] = response.context["new_rows"]
    assert row.village_name == "Socorejo"
    assert "<td>Socorejo</td>" in response.text


def test_a_village_file_without_a_sumber_dana_column_takes_the_payer_chosen_on_upload(
    client, operator, world
):
    """Not refused: every row is paid by the upload form's choice, and the preview says so."""
    client.force_login(operator)
    rows = [resident(world.socorejo) for _ in range(2)]
    for row in rows:
        del row["Sumber Dana"], row["Perusahaan CSR"]
    upload = SimpleUploadedFile("tanpa-sumber-dana.csv", as_csv(rows))
    response = client.post(
        reverse("registration_import"), {"file": upload, "funding_source": "dana_desa"}
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.new_count == 2
    page = client.get(batch.get_absolute_url()).text
    assert 'data-testid="default-payer"' in page
    assert "Dana Desa" in page
    client.post(reverse("registration_import_confirm", args=[batch.pk]))
    assert set(Registration.objects.values_list("funding_source", flat=True)) == {"dana_desa"}


def test_the_upload_form_offers_the_registration_forms_default_payer(client, operator, world):
    client.force_login(operator)
    field = client.get(reverse("registration_import")).context["form"]["funding_source"]
    assert field.value() == "mandiri"


def test_a_file_with_its_own_sumber_dana_column_keeps_it(client, operator, world):
    client.force_login(operator)
    upload = SimpleUploadedFile("daftar.csv", as_csv([resident(world.socorejo)]))
    client.post(reverse("registration_import"), {"file": upload, "funding_source": "apbd"})
    batch = ImportBatch.objects.get()
    client.post(reverse("registration_import_confirm", args=[batch.pk]))
    assert Registration.objects.get().funding_source == "dana_desa"
    assert batch.layout["defaults"] == {}


def test_the_row_estimate_counts_filled_rows_not_formatted_ones(world):
    """A template with a thousand formatted (empty) rows and three filled: about 3 rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TEMPLATE_COLUMNS)
    for number in range(3):
        sheet.append([f"35231208019000{number:02d}", "Sutrisno", "BPU", "1000000", "Dana Desa"])
    for row in range(5, 1005):
        for column in range(1, 6):
            sheet.cell(row=row, column=column).font = Font(bold=True)
            sheet.cell(row=row, column=column).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert sheet.max_row == 1004
    layout = importing.inspect_file(
        io.BytesIO(buffer.getvalue()),
        name="templat.xlsx",
        size=len(buffer.getvalue()),
        village_column=False,
    )
    assert layout.rows_estimated == 3
