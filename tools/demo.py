"""Demo data that retells the seed articles: the offices, their agreements and demo accounts.

Every function is idempotent: rows are found by a natural key and updated, never duplicated."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction

from campaigns import tally
from campaigns.demo import demo_campaigns, demo_village_facts
from campaigns.models import Agreement, Signatory
from enrollment.demo import demo_registrations
from portal.models import User
from tools.payment_demo import demo_claims, demo_payments
from villages.models import BranchOffice, Coverage, Village
from villages.services import regions_load

DEMO_PASSWORD = "demo12345"
SOCOREJO = "35.23.12.2002"
KARANGLO = "35.23.08.2016"
KARANGLEWAS = "33.02.03.2003"

# (name, kind, parent, address, [(regency code, covered from)])
OFFICES = [
    ("Kanwil Jawa Timur", "regional", None, "Surabaya", []),
    ("Kanwil Jawa Tengah & DIY", "regional", None, "Semarang", []),
    (
        "KC Bojonegoro",
        "branch",
        "Kanwil Jawa Timur",
        "Bojonegoro",
        [("35.22", "2016-01-01"), ("35.23", "2016-01-01"), ("35.24", "2016-01-01")],
    ),
    ("KCP Tuban", "pioneer", "KC Bojonegoro", "Tuban", [("35.23", "2016-01-01")]),
    (
        "KC Mojokerto",
        "branch",
        "Kanwil Jawa Timur",
        "Mojokerto",
        [("35.16", "2016-01-01"), ("35.76", "2016-01-01"), ("35.17", "2016-01-01")],
    ),
    (
        "KCP Jombang",
        "pioneer",
        "KC Mojokerto",
        "Jl. KH Wahid Hasyim No. 9, Jombang",
        [("35.17", "2016-12-01")],
    ),
    ("KC Gresik", "branch", "Kanwil Jawa Timur", "Gresik", [("35.25", "2016-01-01")]),
    (
        "KC Purwokerto",
        "branch",
        "Kanwil Jawa Tengah & DIY",
        "Purwokerto",
        [("33.02", "2016-01-01")],
    ),
]

BPJS, COUNTERPART = Signatory.Side.BPJS, Signatory.Side.COUNTERPART
SIGNS, WITNESS = Signatory.Role.SIGNATORY, Signatory.Role.WITNESS

AGREEMENTS = [
    {
        "kind": "mou",
        "title": "Sinergi penyelenggaraan program jaminan sosial ketenagakerjaan di Desa Socorejo",
        "branch_office": "KC Bojonegoro",
        "counterpart_kind": "pemdes",
        "counterpart_name": "Pemerintah Desa Socorejo",
        "counterpart_regency": "35.23",
        "counterpart_village": SOCOREJO,
        "signed_on": "2019-08-01",
        "place": "Balai Desa Socorejo, Kecamatan Jenu",
        "valid_from": "2019-08-01",
        "scope": "Desa Sadar Jaminan Sosial Ketenagakerjaan 2019: target 3.000 warga menjadi "
        "peserta dari berbagai lapangan pekerjaan, formal maupun nonformal. Inovasi "
        "pembayaran iuran: jimpitan hasil laut, bank sampah, program anak mengabdi, CSR "
        "perusahaan ring satu.",
        "people": [
            ("Budi Santoso", "Kepala BPJS Ketenagakerjaan Cabang Bojonegoro", BPJS, SIGNS),
            ("Arief Rahman Hakim", "Kepala Desa Socorejo", COUNTERPART, SIGNS),
            ("Mahmudi", "Kepala Dispemas Kabupaten Tuban", COUNTERPART, WITNESS),
        ],
    },
    {
        "kind": "mou",
        "title": "Pelaksanaan program BPJS Ketenagakerjaan wilayah Kabupaten Tuban",
        "branch_office": "KCP Tuban",
        "counterpart_kind": "pemkab",
        "counterpart_name": "Pemerintah Kabupaten Tuban",
        "counterpart_regency": "35.23",
        "signed_on": "2018-12-17",
        "place": "Ruang rapat lantai 3 Setda Tuban",
        "valid_from": "2018-12-17",
        "scope": "Optimalisasi peranan OPD dalam mengurangi timbulnya angka kemiskinan baru "
        "melalui program BPJS Ketenagakerjaan; perlindungan perangkat desa, tenaga kontrak "
        "dan honorer.",
        "people": [
            ("Rofiul Mashudi", "Kepala BPJS Ketenagakerjaan KCP Tuban", BPJS, SIGNS),
            ("Ir. Noor Nahar Hussein, M.Si", "Wakil Bupati Tuban", COUNTERPART, SIGNS),
            (
                "Gigih Mulyo Utomo",
                "Asisten Deputi Wilayah Bidang Pelayanan BPJS Ketenagakerjaan Jawa Timur",
                BPJS,
                WITNESS,
            ),
        ],
    },
    {
        "kind": "mou",
        "title": "Perlindungan program BPJS Ketenagakerjaan bagi pekerja rentan dan Ketua RT/RW "
        "se-Kabupaten Gresik (1 Desa 100 Pekerja)",
        "branch_office": "KC Gresik",
        "counterpart_kind": "dinas",
        "counterpart_name": "Dinas Pemberdayaan Masyarakat dan Desa (PMD) Kabupaten Gresik",
        "counterpart_regency": "35.25",
        "signed_on": "2023-01-26",
        "place": "Gresik",
        "valid_from": "2023-01-26",
        "scope": "100 pekerja rentan per desa, JKK dan JKM, iuran dari Dana Desa atau Alokasi "
        "Dana Desa (Perbup Gresik 20/2022).",
        "people": [
            ("M. Imam Saputra", "Kepala BPJS Ketenagakerjaan Gresik", BPJS, SIGNS),
            ("Drs. Abu Hassan, SH, MM", "Kepala Dinas PMD Kabupaten Gresik", COUNTERPART, SIGNS),
            (
                "Hari Santoso",
                "Asisten Deputi Direktur Bidang Keuangan BPJS Ketenagakerjaan Jawa Timur",
                BPJS,
                WITNESS,
            ),
        ],
    },
    {
        "kind": "pks",
        "title": "Pendaftaran 7.863 pekerja rentan dan Ketua RT/RW di 18 kecamatan Kabupaten "
        "Gresik (1 Desa 100 Pekerja)",
        "branch_office": "KC Gresik",
        "counterpart_kind": "dinas",
        "counterpart_name": "Dinas Pemberdayaan Masyarakat dan Desa (PMD) Kabupaten Gresik",
        "counterpart_regency": "35.25",
        "signed_on": "2023-01-26",
        "place": "Gresik",
        "valid_from": "2023-01-26",
        "valid_until": "2023-12-31",
        "scope": "Pendaftaran dan pembayaran iuran JKK dan JKM 7.863 pekerja rentan dan Ketua "
        "RT/RW tahun anggaran 2023.",
        "people": [
            ("M. Imam Saputra", "Kepala BPJS Ketenagakerjaan Gresik", BPJS, SIGNS),
            ("Drs. Abu Hassan, SH, MM", "Kepala Dinas PMD Kabupaten Gresik", COUNTERPART, SIGNS),
        ],
    },
    {
        "kind": "mou",
        "title": "Pencanangan Desa Sadar BPJS Ketenagakerjaan Desa Karanglewas",
        "branch_office": "KC Purwokerto",
        "counterpart_kind": "pemdes",
        "counterpart_name": "Pemerintah Desa Karanglewas",
        "counterpart_regency": "33.02",
        "counterpart_village": KARANGLEWAS,
        "signed_on": "2019-09-11",
        "place": "Lapangan Balai Desa Karanglewas, Kecamatan Jatilawang",
        "valid_from": "2019-09-11",
        "scope": "Desa Sadar Jaminan Sosial Ketenagakerjaan; seluruh perangkat desa terdaftar; "
        "pengukuhan agen Perisai (Penggerak Jaminan Sosial Indonesia).",
        "people": [
            (
                "Agus Widiyanto",
                "Kepala Kantor Cabang BPJS Ketenagakerjaan Purwokerto",
                BPJS,
                SIGNS,
            ),
            ("Dwi Noto Suhino", "Kepala Desa Karanglewas", COUNTERPART, SIGNS),
        ],
    },
    {
        "kind": "mou",
        "title": "Kepesertaan BPJS Ketenagakerjaan bagi badan usaha di Kabupaten Jombang "
        "(rencana 2017)",
        "branch_office": "KCP Jombang",
        "counterpart_kind": "pemkab",
        "counterpart_name": "Pemerintah Kabupaten Jombang dan Badan Pelayanan Perijinan",
        "counterpart_regency": "35.17",
        "valid_from": "2017-01-01",
        "scope": "Direncanakan setelah FGD 17–18 Desember 2016: kewajiban seluruh badan usaha "
        "mendaftarkan karyawannya.",
        "people": [],
    },
]

USERS = [
    ("admin", "Admin Portal", User.Role.ADMIN, None, None),
    ("cabang", "Staf KC Bojonegoro", User.Role.BRANCH_STAFF, "KC Bojonegoro", None),
    ("socorejo", "Operator Desa Socorejo", User.Role.VILLAGE_OPERATOR, None, SOCOREJO),
    ("karanglewas", "Operator Desa Karanglewas", User.Role.VILLAGE_OPERATOR, None, KARANGLEWAS),
]


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def demo_offices() -> dict[str, BranchOffice]:
    offices: dict[str, BranchOffice] = {}
    for name, kind, parent, address, coverage in OFFICES:
        office, _ = BranchOffice.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "parent": offices.get(parent), "address": address},
        )
        for regency_code, valid_from in coverage:
            Coverage.objects.get_or_create(
                branch_office=office, regency_id=regency_code, valid_from=_date(valid_from)
            )
        offices[name] = office
    return offices


def demo_agreements(offices: dict[str, BranchOffice]) -> list[Agreement]:
    agreements = []
    for spec in AGREEMENTS:
        spec = dict(spec)
        people = spec.pop("people")
        agreement, _ = Agreement.objects.update_or_create(
            kind=spec.pop("kind"),
            title=spec.pop("title"),
            defaults={
                "branch_office": offices[spec.pop("branch_office")],
                "counterpart_regency_id": spec.pop("counterpart_regency"),
                "counterpart_village_id": spec.pop("counterpart_village", None),
                "signed_on": _date(spec.pop("signed_on", None)),
                "valid_from": _date(spec.pop("valid_from")),
                "valid_until": _date(spec.pop("valid_until", None)),
                **spec,
            },
        )
        for order, (name, position, side, role) in enumerate(people):
            Signatory.objects.update_or_create(
                agreement=agreement,
                name=name,
                defaults={"position": position, "side": side, "role": role, "order": order},
            )
        agreements.append(agreement)
    return agreements


def demo_users(offices: dict[str, BranchOffice]) -> list[User]:
    users = []
    # One hash for the one published demo password: hashing it per account cost seconds.
    password = None
    for username, full_name, role, office, village in USERS:
        first_name, _, last_name = full_name.partition(" ")
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "role": role,
                "branch_office": offices.get(office),
                "village_id": village,
                "is_staff": role == User.Role.ADMIN,
                "is_superuser": role == User.Role.ADMIN,
            },
        )
        if created:
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save(update_fields=["password"])
        users.append(user)
    return users


def demo_load(*, log=print) -> None:
    """Load regions when they are missing, then the demo offices, agreements and accounts."""
    if Village.objects.filter(pk__in=[SOCOREJO, KARANGLO, KARANGLEWAS]).count() != 3:
        counts = regions_load()
        log(f"Loaded regions: {counts['village']:,} villages.")
    with transaction.atomic():
        offices = demo_offices()
        agreements = demo_agreements(offices)
        users = demo_users(offices)
        demo_village_facts()  # officials per village, before any official is registered
        demo_registrations(users={user.username: user for user in users}, log=log)
        demo_campaigns(log=log)
        demo_claims(log=log)
        demo_payments(log=log)
        tally.reconcile()  # the demo's registrations are written in bulk
    log(
        f"Demo data: {len(offices)} offices, {len(agreements)} agreements, "
        f"{len(users)} accounts (password {DEMO_PASSWORD!r})."
    )
    log(
        "From the seed articles: the agreements, their signatories, dates and reported numbers. "
        "Illustrative: the participants, the Perisai agents' names, the villages beyond "
        "Socorejo, Karanglo, Karanglewas, the numbers between those reported, payments and the "
        "claim's member and amount (each campaign's description says so too)."
    )
