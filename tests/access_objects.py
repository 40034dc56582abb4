"""One object of each kind in Socorejo (KC Bojonegoro's area), carrying personal data that must
never be seen outside the village and its branch: the permission matrix's world."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment import import_services, payments, services
from enrollment.models import Agent, FollowUp, Payment, Registration
from opensid import services as opensid_services
from portal import accounts
from portal.models import Notification
from portal.phone import format_phone

from .campaigns.factories import CampaignFactory, SocializationEventFactory
from .enrollment.registering import nik_for, register
from .factories import AgreementFactory, SignatoryFactory
from .opensid.exports import minimal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Two participants of Socorejo: one submitted (waiting for verification), one verified member
# whose village-funded period ends soon (the follow-up pages). Names no other data contains.
SECRET_NAME = "Wijiati Rahasiawati"
SECRET_PHONE = "6281299990001"
MEMBER_NAME = "Sumarni Tersembunyi"
MEMBER_PHONE = "6281299990002"
AGENT_PHONE = "6281299990003"
IMPORTED_NAME = "Painem Terimpor"
OPENSID_NAME = "Suminah Opensidwati"


def secrets_of(objects) -> list[str]:
    """Every string whose presence in an answer means Socorejo's personal data got out: names,
    full NIKs and phones (as stored and as displayed)."""
    values = [SECRET_NAME, MEMBER_NAME, IMPORTED_NAME, OPENSID_NAME]
    values += [objects.registration.participant.nik, objects.opensid_nik]
    values += [objects.member.participant.nik, objects.imported_nik]
    for phone in (SECRET_PHONE, MEMBER_PHONE, AGENT_PHONE):
        values += [phone, format_phone(phone)]
    return values


@pytest.fixture(name="socorejo")
def socorejo_objects(world, operator, branch_staff):
    """The objects every URL of the matrix is tried on."""
    registration = register(
        world.socorejo, operator, full_name=SECRET_NAME, phone=SECRET_PHONE, address="Dusun Rahasia"
    )

    member = register(world.socorejo, operator, full_name=MEMBER_NAME, phone=MEMBER_PHONE)
    services.registration_verify(registration=member, kpj="19099990001", by=branch_staff)
    today = timezone.localdate()
    services.funded_period_add(
        registration=member,
        by=branch_staff,
        funding_source="dana_desa",
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=10),
    )
    FollowUp.objects.create(
        registration=member, by=operator, channel="visit", note="Ditemui di rumah"
    )
    # The member paid January 2025 and nothing since (the arrears list); a file of payments
    # uploaded by the branch, with a malformed row (its error file).
    Payment.objects.create(
        registration=member, month=datetime.date(2025, 1, 1), amount=16_800,
        premium_due=16_800, paid_on=datetime.date(2025, 1, 10),
    )  # fmt: skip
    payments.store_months_paid(Registration.objects.filter(pk=member.pk))
    payment_upload = payments.payment_upload_create(
        upload=SimpleUploadedFile(
            "iuran.csv",
            b"No. KPJ;Bulan Iuran;Jumlah Iuran;Tanggal Bayar\n"
            b"19099990001;02/2025;16800;10-02-2025\n1909999;02/2025;16800;10-02-2025\n",
        ),
        by=branch_staff,
    )

    agent = Agent.objects.create(name="Agen Socorejo", phone=AGENT_PHONE)
    agent.villages.add(world.socorejo)
    agent.recruits.add(registration, member)

    imported_nik = nik_for(world.socorejo, birth="150285")
    spreadsheet = (
        "NIK;Nama Lengkap;Kategori;Penghasilan;Sumber Dana\n"
        f"{imported_nik};{IMPORTED_NAME};Pekerja rentan;1000000;Dana Desa\n"
        f"3.52312E+15;{IMPORTED_NAME} Dua;Pekerja rentan;1000000;Dana Desa\n"
    ).encode()
    batch = import_services.import_batch_start(
        upload=SimpleUploadedFile("daftar.csv", spreadsheet), by=operator
    )
    import_services.import_batch_check(batch=batch)

    # An OpenSID export read for Socorejo, and a batch of its residents waiting to be saved.
    opensid_nik = nik_for(world.socorejo, birth="200386")
    export = minimal([[OPENSID_NAME.upper(), opensid_nik, 2, "", "20-03-1986", 11, "KRAJAN", "1",
                       "2"]])  # fmt: skip
    opensid_upload = opensid_services.resident_upload_create(
        file=io.BytesIO(export), name="penduduk.xlsx", size=len(export), village=world.socorejo,
        by=operator,
    )  # fmt: skip
    opensid_batch = opensid_services.candidates_check(
        upload=opensid_upload, candidates=opensid_upload.candidates.all(), by=operator,
        category="", batch={"jht": False, "declared_income": 1_000_000, "funding_source": "add"},
    )  # fmt: skip

    agreement = AgreementFactory(
        title="MoU Socorejo",
        branch_office=world.bojonegoro,
        counterpart_kind="pemdes",
        counterpart_regency=world.tuban,
        counterpart_village=world.socorejo,
        document=SimpleUploadedFile("socorejo.pdf", PDF, content_type="application/pdf"),
    )
    SignatoryFactory(agreement=agreement, name="Kepala Desa Socorejo")

    campaign = CampaignFactory(
        slug="desa-sadar-tuban",
        branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglo],
        is_public=True,
    )
    event = SocializationEventFactory(village=world.socorejo, campaign=campaign)

    # A two-factor device being set up (not confirmed: it asks for no code yet).
    TOTPDevice.objects.create(user=branch_staff, name="Ponsel kantor", confirmed=False)

    invitation = accounts.invitation_issue(user=operator, by=branch_staff)
    notification = Notification.objects.create(
        user=operator,
        kind=Notification.Kind.VERIFIED,
        key=f"verified-{member.pk}",
        text=f"Pendaftaran {MEMBER_NAME} sudah diverifikasi.",
        url=reverse("registration_detail", args=[member.pk]),
    )
    return SimpleNamespace(
        registration=registration,
        member=member,
        agent=agent,
        batch=batch,
        payment_upload=payment_upload,
        imported_nik=imported_nik,
        opensid_upload=opensid_upload,
        opensid_batch=opensid_batch,
        opensid_nik=opensid_nik,
        agreement=agreement,
        campaign=campaign,
        event=event,
        invitation=invitation,
        notification=notification,
    )
