import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from campaigns.models import Agreement

from ..factories import AgreementFactory, SignatoryFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("signed_on", "valid_from", "valid_until", "status"),
    [
        (None, datetime.date(2017, 1, 1), None, "draft"),
        (datetime.date(2026, 11, 1), datetime.date(2027, 1, 1), None, "draft"),
        (datetime.date(2019, 8, 1), datetime.date(2019, 8, 1), None, "active"),
        (
            datetime.date(2023, 1, 26),
            datetime.date(2023, 1, 26),
            datetime.date(2026, 11, 23),
            "active",
        ),
        (
            datetime.date(2023, 1, 26),
            datetime.date(2023, 1, 26),
            datetime.date(2023, 12, 31),
            "expired",
        ),
    ],
)
def test_status_follows_from_the_dates(world, signed_on, valid_from, valid_until, status):
    """Unsigned or not yet in force is a draft; past its end it is expired; else active. The
    model method and the queryset filter agree."""
    agreement = AgreementFactory(
        branch_office=world.bojonegoro,
        counterpart_regency=world.tuban,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    assert agreement.status(on=TODAY) == status
    assert list(Agreement.objects.with_status(status, on=TODAY)) == [agreement]


def test_valid_until_cannot_precede_valid_from(world):
    """The database refuses an agreement that ends before it starts."""
    with pytest.raises(IntegrityError):
        AgreementFactory(
            branch_office=world.bojonegoro,
            counterpart_regency=world.tuban,
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2019, 1, 1),
        )


def test_only_village_governments_name_a_village(world):
    """A regency agreement cannot point at a village."""
    with pytest.raises(IntegrityError):
        AgreementFactory(
            branch_office=world.bojonegoro,
            counterpart_regency=world.tuban,
            counterpart_kind="pemkab",
            counterpart_village=world.socorejo,
        )


def admin_form_data(world, **overrides):
    data = {
        "kind": "mou",
        "number": "001/MOU/2019",
        "title": "Desa Sadar Socorejo",
        "branch_office": world.bojonegoro.pk,
        "counterpart_kind": "pemdes",
        "counterpart_name": "Pemerintah Desa Socorejo",
        "counterpart_regency": world.tuban.pk,
        "counterpart_village": world.socorejo.pk,
        "signed_on": "2019-08-01",
        "place": "Balai Desa Socorejo",
        "valid_from": "2019-08-01",
        "valid_until": "",
        "scope": "Target 3.000 peserta",
        "signatories-TOTAL_FORMS": "2",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signatories-0-name": "Budi Santoso",
        "signatories-0-position": "Kepala Cabang Bojonegoro",
        "signatories-0-side": "bpjs",
        "signatories-0-role": "signatory",
        "signatories-0-order": "0",
        "signatories-1-name": "Arief Rahman Hakim",
        "signatories-1-position": "Kepala Desa Socorejo",
        "signatories-1-side": "counterpart",
        "signatories-1-role": "signatory",
        "signatories-1-order": "1",
    }
    data.update(overrides)
    return data


def test_admin_creates_an_agreement_with_a_pdf_and_signatories(client, admin_user, world):
    """The admin form saves the agreement, its PDF and its signatories inline."""
    client.force_login(admin_user)
    document = SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("admin:campaigns_agreement_add"), admin_form_data(world, document=document)
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.document.read() == PDF
    assert [s.name for s in agreement.signatories.all()] == ["Budi Santoso", "Arief Rahman Hakim"]
    assert agreement.status() == "active"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("mou.docx", b"PK\x03\x04 word file", "application/vnd.openxmlformats"),
        ("mou.pdf", b"MZ\x90\x00 an executable renamed", "application/pdf"),
        ("scan.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
    ],
)
def test_admin_form_refuses_a_document_that_is_not_a_pdf(
    client, admin_user, world, name, content, content_type
):
    """Anything but a real PDF is refused with a clear message and nothing is saved."""
    client.force_login(admin_user)
    document = SimpleUploadedFile(name, content, content_type=content_type)
    response = client.post(
        reverse("admin:campaigns_agreement_add"), admin_form_data(world, document=document)
    )
    assert response.status_code == 200
    assert "Hanya dokumen PDF yang dapat diunggah" in response.text
    assert not Agreement.objects.exists()


def test_admin_form_refuses_a_pdf_over_the_size_limit(client, admin_user, world, settings):
    """A PDF larger than the configured limit is refused, naming both sizes."""
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 1024
    client.force_login(admin_user)
    document = SimpleUploadedFile("mou.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(
        reverse("admin:campaigns_agreement_add"), admin_form_data(world, document=document)
    )
    assert response.status_code == 200
    assert "terbesar yang diizinkan adalah 1,0\xa0KB" in response.text
    assert not Agreement.objects.exists()


def test_admin_form_refuses_a_village_outside_the_regency(client, admin_user, world):
    """The counterpart's village must lie in the counterpart's regency."""
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:campaigns_agreement_add"),
        admin_form_data(world, counterpart_village=world.karanglewas.pk),
    )
    assert response.status_code == 200
    assert not Agreement.objects.exists()


@pytest.fixture
def agreements(world):
    document = SimpleUploadedFile("socorejo.pdf", PDF, content_type="application/pdf")
    socorejo = AgreementFactory(
        title="MoU Socorejo",
        branch_office=world.bojonegoro,
        counterpart_kind="pemdes",
        counterpart_regency=world.tuban,
        counterpart_village=world.socorejo,
        document=document,
    )
    SignatoryFactory(agreement=socorejo, name="Arief Rahman Hakim")
    tuban = AgreementFactory(
        title="MoU Pemkab Tuban", branch_office=world.kcp_tuban, counterpart_regency=world.tuban
    )
    karanglewas = AgreementFactory(
        title="MoU Karanglewas",
        branch_office=world.purwokerto,
        counterpart_kind="pemdes",
        counterpart_regency=world.banyumas,
        counterpart_village=world.karanglewas,
    )
    return {"socorejo": socorejo, "tuban": tuban, "karanglewas": karanglewas}


def test_branch_staff_list_their_office_and_pioneer_office_agreements(
    client, branch_staff, agreements
):
    """KC Bojonegoro sees its own MoU and KCP Tuban's, not KC Purwokerto's."""
    client.force_login(branch_staff)
    response = client.get(reverse("agreement_list"))
    assert response.status_code == 200
    assert "MoU Socorejo" in response.text
    assert "MoU Pemkab Tuban" in response.text
    assert "MoU Karanglewas" not in response.text


def test_agreement_list_filters_by_status_and_search(client, branch_staff, agreements):
    """The list's filters narrow it down."""
    client.force_login(branch_staff)
    response = client.get(reverse("agreement_list"), {"q": "pemkab", "status": "active"})
    assert "MoU Pemkab Tuban" in response.text
    assert "MoU Socorejo" not in response.text


def test_branch_staff_open_the_detail_and_download_the_document(client, branch_staff, agreements):
    """The detail page shows signatories and the PDF downloads."""
    client.force_login(branch_staff)
    agreement = agreements["socorejo"]
    response = client.get(agreement.get_absolute_url())
    assert "Arief Rahman Hakim" in response.text
    download = client.get(reverse("agreement_document", args=[agreement.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_agreement_without_document_has_no_download(client, branch_staff, agreements):
    """Asking for a missing document answers 404."""
    client.force_login(branch_staff)
    response = client.get(reverse("agreement_document", args=[agreements["tuban"].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["agreement_detail", "agreement_document"])
def test_other_branch_cannot_open_an_agreement(client, other_branch_staff, agreements, name):
    """Another branch's agreement answers 404, as if it did not exist."""
    client.force_login(other_branch_staff)
    response = client.get(reverse(name, args=[agreements["socorejo"].pk]))
    assert response.status_code == 404


def test_operator_sees_only_their_village_agreements(client, operator, agreements):
    """Socorejo's operator sees Socorejo's MoU only."""
    client.force_login(operator)
    response = client.get(reverse("agreement_list"))
    assert "MoU Socorejo" in response.text
    assert "MoU Pemkab Tuban" not in response.text
    assert client.get(agreements["tuban"].get_absolute_url()).status_code == 404


def test_branch_staff_cannot_use_the_admin(client, branch_staff, agreements):
    """Agreements are read-only for branch staff: the admin sends them to log in."""
    client.force_login(branch_staff)
    url = reverse("admin:campaigns_agreement_change", args=[agreements["socorejo"].pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
