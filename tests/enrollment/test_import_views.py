"""Importing residents from a spreadsheet through the pages: upload, preview, error file,
confirmation; each row checked by RegistrationForm, each refusal with its exact message."""

import io
import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from enrollment import import_services, import_views
from enrollment.models import ImportBatch, ImportRow, Participant, Registration, RegistrationEvent
from portal.translated import in_reader_language

from .registering import nik_for, register
from .test_importing import csv_bytes, xlsx_bytes

COLUMNS = [
    "NIK", "Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "No. HP", "Kategori", "JHT",
    "Penghasilan", "Sumber Dana", "Perusahaan CSR",
]  # fmt: skip


def resident(village, **cells) -> dict:
    row = {
        "NIK": nik_for(village),
        "Nama Lengkap": "Sutrisno",
        "Tanggal Lahir": "",
        "Jenis Kelamin": "",
        "No. HP": "0812-3456-7890",
        "Kategori": "Pekerja rentan",
        "JHT": "Tidak",
        "Penghasilan": "1.000.000",
        "Sumber Dana": "Dana Desa",
        "Perusahaan CSR": "",
    }
    row.update(cells)
    return row


def table(rows, columns=None) -> list[list]:
    columns = columns or list(rows[0])
    return [columns] + [[row.get(column, "") for column in columns] for row in rows]


def as_csv(rows, **kwargs) -> bytes:
    return csv_bytes(table(rows), **kwargs)


def as_xlsx(rows) -> bytes:
    return xlsx_bytes(table(rows))


@pytest.fixture
def english(client):
    """Exact messages are asserted on the English message ids (translations come later)."""
    client.cookies["django_language"] = "en"
    return client


def upload(client, content: bytes, name="daftar.csv"):
    return client.post(reverse("registration_import"), {"file": SimpleUploadedFile(name, content)})


def upload_ok(client, content: bytes, name="daftar.csv") -> ImportBatch:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == batch.get_absolute_url()
    return batch


def confirm(client, batch):
    return client.post(reverse("registration_import_confirm", args=[batch.pk]))


def errors_of(batch) -> dict[int, list]:
    """Each error row's [column, message] pairs, the messages in the active language."""
    return {
        number: [[column, in_reader_language(message)] for column, message in errors]
        for number, errors in batch.rows.filter(status="error").values_list("number", "errors")
    }


def warnings_of(row) -> list[str]:
    return [in_reader_language(warning) for warning in row.warnings]


# The happy path --------------------------------------------------------------------------------


def test_operator_uploads_previews_and_confirms_and_only_then_rows_are_saved(
    client, english, operator, world
):
    client.force_login(operator)
    rows = [
        resident(world.socorejo, **{"Nama Lengkap": "Sutrisno"}),
        resident(world.socorejo, **{"Nama Lengkap": "Siti Aminah", "JHT": "Ya",
                                    "Penghasilan": "Rp 1.500.000"}),
        resident(world.socorejo, **{"Nama Lengkap": "Budi", "Sumber Dana": "CSR",
                                    "Perusahaan CSR": "PT Semen Indonesia"}),
    ]  # fmt: skip
    batch = upload_ok(client, as_csv(rows))
    assert (batch.status, batch.new_count, batch.existing_count, batch.error_count) == (
        "checked", 3, 0, 0,
    )  # fmt: skip
    assert not Registration.objects.exists()

    preview = client.get(batch.get_absolute_url())
    assert preview.status_code == 200
    assert 'data-testid="new-count">3<' in preview.text
    assert "Siti Aminah" in preview.text

    response = confirm(client, batch)
    assert response.status_code == 302
    registrations = Registration.objects.order_by("participant__full_name")
    assert [r.participant.full_name for r in registrations] == ["Budi", "Siti Aminah", "Sutrisno"]
    siti = registrations.get(participant__full_name="Siti Aminah")
    assert (siti.jht, siti.declared_income, siti.monthly_premium) == (True, 1_500_000, 51_800)
    assert siti.participant.phone == "6281234567890"
    assert siti.participant.village == world.socorejo
    assert (siti.status, siti.entered_by, siti.village) == ("submitted", operator, world.socorejo)
    assert registrations.get(participant__full_name="Budi").funding_company == "PT Semen Indonesia"
    events = RegistrationEvent.objects.filter(action="created")
    assert events.count() == 3
    assert events.first().note == "Imported from daftar.csv"
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == ("saved", 3)
    page = client.get(batch.get_absolute_url())
    assert 'data-testid="created-count">3<' in page.text


def test_text_with_quotes_separators_backslashes_and_line_breaks_is_kept_exactly(
    client, operator, world
):
    """Checked rows are stored in bulk (COPY on PostgreSQL): nothing in a cell may be lost."""
    client.force_login(operator)
    names = ['Siti "Ani" Aminah', "Budi, S.Pd; \\N", "Sri\nWahyuni"]
    rows = [resident(world.socorejo, **{"Nama Lengkap": name}) for name in names]
    rows[2]["Sumber Dana"] = "CSR"
    rows[2]["Perusahaan CSR"] = 'PT "Semen"\tIndonesia \\ Tuban'
    batch = upload_ok(client, as_xlsx(rows), "daftar.xlsx")
    assert (batch.new_count, batch.error_count) == (3, 0)
    confirm(client, batch)
    saved = Registration.objects.select_related("participant")
    assert sorted(r.participant.full_name for r in saved) == sorted(names)
    assert {r.funding_company for r in saved} == {"", 'PT "Semen"\tIndonesia \\ Tuban'}


def test_the_preview_survives_a_reload_without_checking_the_file_again(client, operator, world):
    client.force_login(operator)
    batch = upload_ok(client, as_csv([resident(world.socorejo), resident(world.socorejo)]))

    def page():
        text = client.get(batch.get_absolute_url()).text
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)

    first = page()
    assert 'data-testid="new-count">2<' in first
    assert page() == first
    assert ImportRow.objects.filter(batch=batch).count() == 2


def test_reuploading_the_same_file_creates_nothing_new(client, english, operator, world):
    client.force_login(operator)
    content = as_xlsx([resident(world.socorejo) for _ in range(3)])
    confirm(client, upload_ok(client, content, "daftar.xlsx"))
    assert Registration.objects.count() == 3

    again = upload_ok(client, content, "daftar.xlsx")
    assert (again.new_count, again.existing_count, again.error_count) == (0, 3, 0)
    page = client.get(again.get_absolute_url()).text
    assert "There is nothing new to save in this file." in page
    assert 'data-testid="confirm"' not in page
    assert confirm(client, again).status_code == 302
    assert Registration.objects.count() == 3


def test_the_template_example_row_is_never_imported(client, operator, world):
    client.force_login(operator)
    template = client.get(reverse("registration_import_template", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(template))["Peserta"]
    sheet.append([nik_for(world.socorejo), "Sutrisno", None, None, None, None, None, None,
                  None, "rentan", "Tidak", 1_000_000, "Dana Desa"])  # fmt: skip
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    batch = upload_ok(client, buffer.getvalue(), "templat.xlsx")
    assert (batch.new_count, batch.error_count) == (1, 0)


# Row errors, each with its column and exact message -------------------------------------------

ROW_ERRORS = [
    ({"NIK": "352312080190001"}, "NIK", "A NIK has 16 digits; 15 digits were given."),
    ({"NIK": "3523120801900001.0"}, "NIK",
     "The spreadsheet stored the NIK as a number and added a decimal part: 3523120801900001.0. "
     "Format the NIK column as Text and type the NIK again."),
    ({"NIK": "3.52312E+15"}, "NIK",
     "The spreadsheet stored the NIK as a number and shortened it to 3.52312E+15. "
     "Format the NIK column as Text and type the NIK again."),
    ({"NIK": "3523123102900001"}, "NIK",
     "Digits 7-12 of the NIK (310290) are not a birth date (DDMMYY, women: day + 40)."),
    ({"Nama Lengkap": ""}, "Nama Lengkap", "This field is required."),
    ({"Tanggal Lahir": "31-02-1990"}, "Tanggal Lahir", "Enter a valid date."),
    ({"Tanggal Lahir": "08-01-90"}, "Tanggal Lahir",
     "Write the year with four digits, such as 08-01-1990."),
    ({"Jenis Kelamin": "X"}, "Jenis Kelamin",
     "Select a valid choice. X is not one of the available choices."),
    ({"No. HP": "12345"}, "No. HP",
     "Enter a mobile number (08...) or a landline with its area code (0351...)."),
    ({"Kategori": "petani"}, "Kategori",
     "Select a valid choice. petani is not one of the available choices."),
    ({"JHT": "mungkin"}, "JHT", "Write Ya or Tidak."),
    ({"Penghasilan": "satu juta"}, "Penghasilan",
     "Enter an amount in Rupiah, such as Rp1.500.000."),
    ({"Penghasilan": "1500000.5"}, "Penghasilan", "Enter a whole number of Rupiah."),
    ({"Sumber Dana": "arisan"}, "Sumber Dana",
     "Select a valid choice. arisan is not one of the available choices."),
    ({"Sumber Dana": "CSR"}, "Perusahaan CSR", "Name the company that pays through its CSR."),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "column", "message"), ROW_ERRORS)
def test_a_bad_row_is_reported_with_its_row_column_and_message(
    client, english, operator, world, cells, column, message
):
    client.force_login(operator)
    rows = [resident(world.socorejo), resident(world.socorejo, **cells), resident(world.socorejo)]
    batch = upload_ok(client, as_csv(rows))
    assert (batch.new_count, batch.error_count) == (2, 1)
    assert errors_of(batch) == {3: [[column, message]]}
    page = client.get(batch.get_absolute_url())
    assert f"<td>3</td><td>{column}</td>" in page.text


def test_a_nik_stored_as_a_number_in_excel_is_refused_in_indonesian(client, operator, world):
    """The message comes from enrollment/nik.py, translated."""
    client.force_login(operator)
    good = resident(world.socorejo)
    content = xlsx_bytes(table([good]) + [[3523120801900001, "Sri", "", "", "", "rentan", "",
                                           1_000_000, "dana desa", ""]])  # fmt: skip
    batch = upload_ok(client, content, "daftar.xlsx")
    assert errors_of(batch) == {
        3: [["NIK", "Lembar kerja menyimpan NIK sebagai angka dan menyingkatnya menjadi "
                    "3.52312E+15. Ubah format kolom NIK menjadi Teks, lalu ketik ulang NIK."]]
    }  # fmt: skip
    assert "Ubah format kolom NIK menjadi Teks" in client.get(batch.get_absolute_url()).text


def test_a_nik_twice_in_the_file_is_an_error_on_the_later_row(client, english, operator, world):
    client.force_login(operator)
    twice = nik_for(world.socorejo)
    spaced = " ".join([twice[:4], twice[4:8], twice[8:12], twice[12:]])
    rows = [
        resident(world.socorejo, NIK=twice),
        resident(world.socorejo),
        resident(world.socorejo, NIK=spaced),
    ]
    batch = upload_ok(client, as_csv(rows))
    assert errors_of(batch) == {4: [["NIK", "This NIK is already on row 2 of this file."]]}
    assert batch.new_count == 2


def test_a_nik_registered_in_another_village_is_an_error_without_its_data(
    client, english, operator, other_operator, world
):
    elsewhere = register(world.karanglewas, other_operator, full_name="Rahasia Karanglewas")
    client.force_login(operator)
    batch = upload_ok(client, as_csv([resident(world.socorejo, NIK=elsewhere.participant.nik)]))
    assert errors_of(batch) == {
        2: [["NIK", "This NIK is already registered in another village. A person can be "
                    "registered only once; contact your branch office if this is a mistake."]]
    }  # fmt: skip
    assert "Rahasia" not in client.get(batch.get_absolute_url()).text


def test_a_nik_from_another_district_is_saved_with_a_notice(client, english, operator, world):
    client.force_login(operator)
    batch = upload_ok(client, as_csv([resident(world.socorejo, NIK=nik_for(world.karanglo))]))
    assert batch.new_count == 1
    [row] = batch.rows.all()
    assert warnings_of(row) == [
        "The NIK was issued in another district (35.23.08): fine for people who moved or work "
        "away from home."
    ]
    assert "issued in another district" in client.get(batch.get_absolute_url()).text


# Villages -----------------------------------------------------------------------------------


def test_an_operators_file_with_another_villages_code_is_refused(client, english, operator, world):
    client.force_login(operator)
    rows = [resident(world.socorejo, **{"Kode Desa": "35.23.12.2002"}),
            resident(world.socorejo, **{"Kode Desa": "35.23.08.2016"})]  # fmt: skip
    response = upload(client, as_csv(rows))
    assert response.status_code == 200
    assert (
        "The file contains rows for another village (code 35.23.08.2016). You can import "
        "residents of Socorejo only."
    ) in response.text
    batch = ImportBatch.objects.get()
    assert batch.status == "refused"
    assert not batch.file
    assert not ImportRow.objects.exists()


def test_an_operators_file_may_name_their_own_village(client, operator, world):
    client.force_login(operator)
    rows = [resident(world.socorejo, **{"Kode Desa": "3523122002"}),
            resident(world.socorejo, **{"Kode Desa": ""})]  # fmt: skip
    assert upload_ok(client, as_csv(rows)).new_count == 2


def test_branch_staff_name_each_rows_village_within_their_area(
    client, english, branch_staff, world
):
    client.force_login(branch_staff)
    rows = [
        resident(world.socorejo, **{"Kode Desa": "35.23.12.2002"}),
        resident(world.karanglo, **{"Kode Desa": "3523082016"}),
        resident(world.karanglewas, **{"Kode Desa": "33.02.03.2003"}),
        resident(world.socorejo, **{"Kode Desa": ""}),
        resident(world.socorejo, **{"Kode Desa": "35.23.12.2999"}),
    ]
    batch = upload_ok(client, as_csv(rows))
    assert batch.village is None
    assert errors_of(batch) == {
        4: [["Kode Desa", "33.02.03.2003 is not the code of a village in your area."]],
        5: [["Kode Desa", "Enter the village code."]],
        6: [["Kode Desa", "35.23.12.2999 is not the code of a village in your area."]],
    }
    confirm(client, batch)
    assert sorted(Registration.objects.values_list("village", flat=True)) == [
        "35.23.08.2016",
        "35.23.12.2002",
    ]


def test_branch_staff_files_need_the_village_code_column(client, english, branch_staff, world):
    client.force_login(branch_staff)
    response = upload(client, as_csv([resident(world.socorejo)]))
    assert (
        "Columns missing: Kode Desa. Download the template to see the expected columns."
        in response.text
    )
    assert not ImportBatch.objects.exists()


# Files refused as a whole -------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4", "daftar.pdf",
         "Upload the list as an Excel workbook (.xlsx) or a CSV file (.csv)."),
        (OLE2 + b"\x00" * 600, "daftar.xls",
         "Old Excel files (.xls) cannot be read. In Excel choose Save As and pick Excel Workbook "
         "(.xlsx), then upload that file."),
        (OLE2 + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"), "daftar.xlsx",
         "The workbook is protected with a password. Remove the password in Excel (File &gt; "
         "Info &gt; Protect Workbook), save it and upload it again."),
        (b"PK\x03\x04 not really a workbook", "daftar.xlsx",
         "The Excel file is damaged and cannot be read. Open it in Excel, save it again as .xlsx "
         "and upload it again."),
        (b"", "daftar.csv", "The file is empty."),
        (b"NIK;Nama Lengkap;Kategori;Penghasilan;Sumber Dana\r\n", "daftar.csv",
         "The file has column headings but no rows of residents."),
        (b"NIK;Nama\r\n3523120801900001;Sutrisno\r\n", "daftar.csv",
         "Columns missing: Kategori, Penghasilan, Sumber Dana. Download the template to see the "
         "expected columns."),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_imported_is_refused_with_its_message(
    client, english, operator, world, content, name, message
):
    client.force_login(operator)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert message in response.text
    assert not ImportBatch.objects.exists()


def test_no_file_chosen_is_asked_for(client, english, operator):
    client.force_login(operator)
    response = client.post(reverse("registration_import"), {})
    assert "Choose the file to upload." in response.text


def test_a_file_over_the_size_limit_is_refused(client, english, operator, world, settings):
    settings.IMPORT_MAX_BYTES = 200
    client.force_login(operator)
    response = upload(client, as_csv([resident(world.socorejo) for _ in range(3)]))
    assert "; the largest allowed is 200\xa0bytes." in response.text


def test_an_xlsx_with_more_rows_than_allowed_is_refused(client, english, operator, world, settings):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(operator)
    response = upload(client, as_xlsx([resident(world.socorejo) for _ in range(3)]), "daftar.xlsx")
    assert "The file has more than 2 rows. Split it into files of at most 2 rows." in response.text
    assert ImportBatch.objects.get().status == "refused"
    assert not ImportRow.objects.exists()


# Saving: all or nothing, checked again ------------------------------------------------------


@pytest.fixture
def checked_batch(client, operator, world):
    client.force_login(operator)
    return upload_ok(client, as_csv([resident(world.socorejo) for _ in range(5)]))


def test_a_failure_in_the_middle_of_the_save_leaves_no_rows(checked_batch, operator, monkeypatch):
    """The participants are inserted, then inserting the registrations fails: nothing stays."""
    real = import_services._insert_select
    inserted = []

    def failing(model, rows, columns):
        if model is Registration:
            raise RuntimeError("disk full")
        inserted.append(real(model, rows, columns))
        return inserted[-1]

    monkeypatch.setattr(import_services, "_insert_select", failing)
    with pytest.raises(RuntimeError):
        import_services.registrations_import(batch=checked_batch, by=operator)
    assert inserted == [5]  # the participants were in, before the failure took them out again
    assert not Participant.objects.exists()
    assert not Registration.objects.exists()
    checked_batch.refresh_from_db()
    assert checked_batch.status == "checked"


def test_a_nik_registered_meanwhile_is_reported_not_duplicated(
    client, english, checked_batch, operator, world
):
    taken = checked_batch.rows.order_by("number")[1]
    register(world.socorejo, operator, nik=taken.nik, full_name="Didaftarkan Duluan")
    response = confirm(client, checked_batch)
    checked_batch.refresh_from_db()
    assert (checked_batch.created_count, checked_batch.meanwhile_count) == (4, 1)
    assert Participant.objects.filter(nik=taken.nik).get().full_name == "Didaftarkan Duluan"
    taken.refresh_from_db()
    assert taken.status == "meanwhile"
    page = client.get(response["Location"]).text
    assert "1 NIK was registered by someone else since the check" in page
    assert taken.masked_nik in page


@pytest.mark.django_db(transaction=True)
def test_the_unique_constraint_catches_a_nik_registered_after_the_recheck(
    checked_batch, operator, world, monkeypatch
):
    """Someone registers a NIK between the save's re-check and its insert: the database refuses
    the duplicate, nothing is kept, and the save is tried again."""
    taken = checked_batch.rows.order_by("number")[0]
    real = import_services._insert_select
    calls = []

    def register_elsewhere():
        try:
            register(world.socorejo, operator, nik=taken.nik)
        finally:
            connection.close()

    def racing(model, rows, columns):
        if model is Participant:
            if not calls:  # another request, its own connection, commits in between
                thread = threading.Thread(target=register_elsewhere)
                thread.start()
                thread.join(timeout=30)
            calls.append(1)
        return real(model, rows, columns)

    monkeypatch.setattr(import_services, "_insert_select", racing)
    batch = import_services.registrations_import(batch=checked_batch, by=operator)
    assert len(calls) == 2
    assert (batch.created_count, batch.meanwhile_count) == (4, 1)
    assert Participant.objects.filter(nik=taken.nik).count() == 1
    assert Registration.objects.count() == 5


def test_confirming_twice_saves_once(client, english, checked_batch):
    confirm(client, checked_batch)
    response = confirm(client, checked_batch)
    assert Registration.objects.count() == 5
    page = client.get(response["Location"]).text
    assert "This import is not waiting for confirmation." in page


# Large files: progress, one query per thousand rows -----------------------------------------


def test_a_large_file_is_checked_in_steps_showing_its_progress(
    client, english, operator, world, monkeypatch
):
    monkeypatch.setattr(import_services, "IMPORT_CHECK_CHUNK", 2)
    monkeypatch.setattr(import_views, "FIRST_STEP_SECONDS", 0)
    monkeypatch.setattr(import_views, "STEP_SECONDS", 0)
    client.force_login(operator)
    batch = upload_ok(client, as_csv([resident(world.socorejo) for _ in range(5)]))
    assert (batch.status, batch.rows_checked, batch.rows_estimated) == ("checking", 2, 5)

    page = client.get(batch.get_absolute_url()).text
    assert '<meta http-equiv="refresh" content="1">' in page
    assert "4 rows checked so far." in page
    assert '<progress value="80" max="100">' in page
    page = client.get(batch.get_absolute_url()).text
    assert 'data-testid="new-count">5<' in page
    batch.refresh_from_db()
    assert (batch.status, batch.new_count, batch.rows.count()) == ("checked", 5, 5)


def test_checking_a_thousand_rows_takes_a_handful_of_queries(
    operator, world, django_assert_max_num_queries
):
    content = as_csv([resident(world.socorejo) for _ in range(1000)])
    upload = SimpleUploadedFile("daftar.csv", content)
    batch = import_services.import_batch_start(upload=upload, by=operator)
    # One more since issue 18: the price book reads the rates and the discounts.
    with django_assert_max_num_queries(13):
        batch = import_services.import_batch_check(batch=batch)
    assert batch.new_count == 1000
    # The twelfth and thirteenth: the campaign rows locked, and the cached pages marked changed;
    # the fourteenth (issue 18): the discounts read with the rates.
    with django_assert_max_num_queries(14):
        batch = import_services.registrations_import(batch=batch, by=operator)
    assert Registration.objects.count() == 1000


# The error file -----------------------------------------------------------------------------


def test_the_csv_error_file_keeps_the_uploaded_format_and_can_be_uploaded_again(
    client, english, operator, world
):
    client.force_login(operator)
    rows = [
        resident(world.socorejo, **{"Nama Lengkap": "Benar"}),
        resident(world.socorejo, **{"Nama Lengkap": "Bayu Pérez", "No. HP": "12"}),
        resident(world.socorejo, **{"Nama Lengkap": "=1+1", "Penghasilan": "sepuluh"}),
    ]
    batch = upload_ok(client, as_csv(rows, delimiter=";", encoding="cp1252"))
    response = client.get(reverse("registration_import_errors", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="daftar-kesalahan.csv"'
    text = response.content.decode("cp1252")
    lines = text.splitlines()
    assert lines[0] == ";".join(COLUMNS) + ";Kesalahan"
    assert len(lines) == 3
    assert lines[1].startswith(rows[1]["NIK"] + ";Bayu Pérez;")
    assert lines[1].endswith(
        ";No. HP: Enter a mobile number (08...) or a landline with its area code (0351...)."
    )
    assert lines[2].split(";")[1] == "'=1+1"

    fixed = (
        text.replace(";12;", ";0812 1111 2222;")
        .replace("'=1+1", "Sari")
        .replace(";sepuluh;", ";1000000;")
    )
    again = upload_ok(client, fixed.encode("cp1252"), "daftar-kesalahan.csv")
    assert (again.new_count, again.error_count) == (2, 0)


def test_the_xlsx_error_file_has_the_rejected_rows_and_an_error_column(client, operator, world):
    client.force_login(operator)
    rows = [resident(world.socorejo), resident(world.socorejo, Kategori="petani")]
    batch = upload_ok(client, as_xlsx(rows), "daftar.xlsx")
    response = client.get(reverse("registration_import_errors", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0] == (*COLUMNS, "Kesalahan")
    assert len(values) == 2
    assert values[1][0] == rows[1]["NIK"]
    assert sheet["A2"].number_format == "@"
    assert values[1][-1].startswith("Kategori: ")


def test_there_is_no_error_file_without_errors(client, checked_batch):
    response = client.get(reverse("registration_import_errors", args=[checked_batch.pk]))
    assert response.status_code == 404


# Templates and access -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_village_code_column_for_branch_staff_only(
    client, operator, branch_staff, fmt
):
    url = reverse("registration_import_template", args=[fmt])
    client.force_login(operator)
    for_operator = client.get(url)
    assert (
        for_operator["Content-Disposition"] == f'attachment; filename="templat-pendaftaran.{fmt}"'
    )
    client.force_login(branch_staff)
    for_branch = client.get(url)
    if fmt == "csv":
        assert "Kode Desa" not in for_operator.content.decode("utf-8-sig")
        assert "Kode Desa" in for_branch.content.decode("utf-8-sig")
    else:
        header = next(load_workbook(io.BytesIO(for_branch.content))["Peserta"].values)
        # The optional columns of issue 18 come after it: older files keep their columns.
        assert header[-3:] == ("Kode Desa", "Kelompok Pekerjaan", "Pemberi Kerja")


def test_an_unknown_template_format_is_not_found(client, operator):
    client.force_login(operator)
    assert client.get(reverse("registration_import_template", args=["pdf"])).status_code == 404


@pytest.mark.parametrize("name", ["registration_import_preview", "registration_import_errors"])
def test_another_users_import_is_not_found(client, checked_batch, other_operator, name):
    client.force_login(other_operator)
    assert client.get(reverse(name, args=[checked_batch.pk])).status_code == 404
    assert confirm(client, checked_batch).status_code == 404
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), ("inactive_user", 302), ("admin_user", 200), ("branch_staff", 200),
     ("operator", 200)],
)  # fmt: skip
def test_the_import_page_is_for_every_role(client, request, world, role, status):
    if role:
        client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("registration_import")).status_code == status
    template = client.get(reverse("registration_import_template", args=["csv"]))
    assert template.status_code == status


def test_confirm_needs_a_post(client, checked_batch):
    response = client.get(reverse("registration_import_confirm", args=[checked_batch.pk]))
    assert response.status_code == 405


def test_rows_handed_over_without_a_file_are_checked_alike_and_offer_no_error_file(
    client, english, operator, world
):
    """Rows from another source (residents picked from OpenSID) get the same checks and the
    same preview; with no uploaded file there is no error file to offer."""
    rows = [
        (1, {"nik": nik_for(world.socorejo), "full_name": "Benar", "category": "rentan",
             "declared_income": 1_000_000, "funding_source": "dana_desa", "jht": False}),
        (2, {"nik": "3.52312E+15", "full_name": "Rusak", "category": "rentan",
             "declared_income": 1_000_000, "funding_source": "dana_desa", "jht": False}),
    ]  # fmt: skip
    batch = import_services.import_batch_from_values(
        by=operator, village=world.socorejo, rows=rows, name="opensid.xlsx"
    )
    assert (batch.status, batch.new_count, batch.error_count) == ("checked", 1, 1)
    client.force_login(operator)
    page = client.get(batch.get_absolute_url()).text
    # Checked outside a request (in Indonesian), read in the reader's English.
    assert "stored the NIK as a number" in page
    assert "error file" not in page
    assert 'data-testid="error-file"' not in page
    batch = import_services.registrations_import(batch=batch, by=operator)
    assert Registration.objects.get().participant.full_name == "Benar"
