"""The seeds' campaigns and socialization events (idempotent, by slug and by date and place).

Each campaign's description says what comes from the seeds and that the rest (the people, the
agents, the extra villages, the numbers between the reported ones) is illustrative."""

from __future__ import annotations

import datetime

from villages.models import BranchOffice, Village

from .models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent

SOCOREJO, KARANGLO, KARANGLEWAS = "35.23.12.2002", "35.23.08.2016", "33.02.03.2003"
D = datetime.date
ILLUSTRATIVE = (
    " Contoh (demo): peserta, nama agen, desa lain dan angka di antara yang diberitakan "
    "bersifat ilustratif."
)
# Gresik's 2023 target: 7,863 members in its 330 desa of 18 kecamatan (Realita, 26 Jan 2023);
# how it splits between the desa is illustrative: 24 each, 23 in the last 57.
GRESIK_TARGET, GRESIK_DESA_AT_23 = 7863, 57

VILLAGE_FACTS = {
    # code: officials (perangkat desa), population, working-age population
    SOCOREJO: (15, None, None),
    KARANGLO: (12, None, None),
    KARANGLEWAS: (14, None, None),
}

CAMPAIGNS = [
    {
        "slug": "desa-sadar-2018-tuban",
        "name": "Desa Sadar Jaminan Sosial Ketenagakerjaan 2018 · Kabupaten Tuban",
        "kind": Campaign.Kind.DESA_SADAR,
        "office": "KCP Tuban",
        "starts_on": D(2018, 1, 1),
        "ends_on": D(2018, 12, 31),
        "default_target": 400,
        "officials_goal_percent": 100,
        "is_public": True,
        "description": "Desa Karanglo, Kecamatan Kerek, meraih juara II nasional Desa Sadar "
        "Jaminan Sosial Ketenagakerjaan 2018; penghargaannya diserahkan kepada Kepala Desa "
        "Karanglo pada FGD Pemkab Tuban 17 Desember 2018." + ILLUSTRATIVE,
        "villages": {KARANGLO: None},
        "criteria": {"target": 2, "officials": 1},
    },
    {
        "slug": "desa-sadar-2019",
        "name": "Desa Sadar Jaminan Sosial Ketenagakerjaan 2019",
        "kind": Campaign.Kind.DESA_SADAR,
        "office": "KC Bojonegoro",
        "starts_on": D(2019, 1, 1),
        "ends_on": D(2019, 12, 31),
        "default_target": 100,
        "officials_goal_percent": 100,
        "is_public": True,
        "description": "Socorejo mewakili Kabupaten Tuban di tingkat nasional dengan target "
        "3.000 warga menjadi peserta; 900 sudah terdaftar saat MoU 1 Agustus 2019, 3.000 "
        "tercapai pada akhir November. Socorejo meraih juara I nasional 2019 (penghargaan "
        "diserahkan 12 Desember 2019 di Jakarta)." + ILLUSTRATIVE,
        "villages": {SOCOREJO: 3000, "jenu": None},
        "criteria": {"target": 2, "officials": 1},
    },
    {
        "slug": "1-desa-100-pekerja-gresik-2023",
        "name": "1 Desa 100 Pekerja · Kabupaten Gresik 2023",
        "kind": Campaign.Kind.SATU_DESA_SERATUS,
        "office": "KC Gresik",
        "starts_on": D(2023, 1, 26),
        "ends_on": D(2023, 12, 31),
        "default_target": 24,
        "categories": ["rentan", "rt_rw"],
        "is_public": True,
        "desa_only": True,
        "description": "MoU dan PKS BPJAMSOSTEK Gresik dengan Dinas PMD, 26 Januari 2023: "
        "100 pekerja rentan dan Ketua RT/RW per desa (atau lebih), JKK dan JKM dibayar dari "
        "Dana Desa atau ADD (Perbup 20/2022); target 2023: 7.863 peserta di 330 desa, 18 "
        "kecamatan (kelurahan tidak ikut: tanpa Dana Desa). Pembagian target per desa (23 atau "
        "24) ilustratif; demo ini memuat pendaftaran contoh di sebagian desa saja." + ILLUSTRATIVE,
        "villages": {"desa:35.25": None},
        "criteria": {"target": 3, "continuing": 1},
    },
    {
        "slug": "desa-sadar-karanglewas-2019",
        "name": "Pencanangan Desa Sadar BPJS Ketenagakerjaan · Karanglewas",
        "kind": Campaign.Kind.DESA_SADAR,
        "office": "KC Purwokerto",
        "starts_on": D(2019, 7, 1),
        "ends_on": D(2020, 6, 30),
        "default_target": 150,
        "officials_goal_percent": 100,
        "description": "Dicanangkan 11 September 2019 bersama KC Purwokerto; seluruh perangkat "
        "desa terdaftar; agen Perisai dikukuhkan." + ILLUSTRATIVE,
        "villages": {KARANGLEWAS: None},
        "criteria": {"target": 1, "officials": 1},
    },
    {
        "slug": "desa-sadar-2026-tuban",
        "name": "Desa Sadar Jaminan Sosial Ketenagakerjaan 2026 · Kabupaten Tuban",
        "kind": Campaign.Kind.DESA_SADAR,
        "office": "KC Bojonegoro",
        "starts_on": D(2026, 8, 1),
        "ends_on": D(2026, 12, 31),
        "default_target": 60,
        "officials_goal_percent": 100,
        "is_public": True,
        "description": "Kampanye berjalan: desa-desa Jenu dan Kerek mengejar Socorejo."
        + ILLUSTRATIVE,
        "villages": {SOCOREJO: 200, KARANGLO: 100, "jenu:3": None, "kerek:3": None},
        "criteria": {"target": 2, "officials": 1},
    },
]

EVENTS = [
    ("desa-sadar-2019", "sosialisasi", D(2019, 6, 14), "Balai Desa Socorejo", SOCOREJO, 120,
     "Sosialisasi malam hari kepada nelayan."),
    ("desa-sadar-2019", "sosialisasi", D(2019, 7, 12), "Musala Dusun Tegalrejo", SOCOREJO, 85,
     "Sosialisasi setiap malam menjelang penilaian nasional."),
    ("desa-sadar-2019", "mou", D(2019, 8, 1), "Balai Desa Socorejo", SOCOREJO, 150,
     "Penandatanganan MoU dengan KC Bojonegoro, dihadiri Kepala Dispemas dan Forkopimcam Jenu."),
    ("desa-sadar-2018-tuban", "fgd", D(2018, 12, 17), "Ruang rapat lantai 3 Setda Tuban", None,
     70, "FGD dan MoU Pemkab Tuban; penghargaan Desa Sadar terbaik II nasional untuk Karanglo; "
     "penyerahan klaim JKK meninggal dunia."),
    ("1-desa-100-pekerja-gresik-2023", "mou", D(2023, 1, 26), "Kantor Dinas PMD Gresik", None,
     None, "Penandatanganan MoU dan PKS 1 Desa 100 Pekerja."),
    ("1-desa-100-pekerja-gresik-2023", "sosialisasi", D(2023, 3, 8), "Pendopo Kecamatan Manyar",
     None, 60, "Sosialisasi kepada kepala desa se-Kecamatan Manyar."),
    ("desa-sadar-karanglewas-2019", "mou", D(2019, 9, 11), "Lapangan Balai Desa Karanglewas",
     KARANGLEWAS, 200, "Pencanangan Desa Sadar dan pengukuhan agen Perisai."),
    ("desa-sadar-2026-tuban", "sosialisasi", D(2026, 9, 18), "Balai Desa Karanglo", KARANGLO, 64,
     "Sosialisasi manfaat JKK dan JKM bagi petani."),
    ("desa-sadar-2026-tuban", "sosialisasi", D(2026, 10, 23), "Balai Desa Socorejo", SOCOREJO,
     90, "Sosialisasi iuran lewat bank sampah."),
]  # fmt: skip


def _villages(key: str) -> list[Village]:
    if key.startswith("desa:"):
        regency = key.split(":")[1]
        return list(Village.objects.desa().filter(district__regency_id=regency))
    if key.startswith(("jenu", "kerek")):
        district = {"jenu": "35.23.12", "kerek": "35.23.08"}[key.split(":")[0]]
        limit = int(key.split(":")[1]) if ":" in key else 5
        return list(
            Village.objects.filter(district_id=district)
            .exclude(pk__in=[SOCOREJO, KARANGLO])
            .order_by("code")[:limit]
        )
    return [Village.objects.get(pk=key)]


def demo_village_facts() -> None:
    """The seed villages' officials (perangkat desa), which caps the officials registered."""
    for code, (officials, population, working_age) in VILLAGE_FACTS.items():
        Village.objects.filter(pk=code).update(
            official_count=officials, population=population, working_age_population=working_age
        )


def _gresik_targets(campaign: Campaign) -> None:
    """The last desa by code get 23, the others the campaign's 24: 7,863 in all."""
    last = campaign.participations.order_by("-village")[:GRESIK_DESA_AT_23]
    CampaignVillage.objects.filter(pk__in=[p.pk for p in last]).update(target_override=23)


def demo_campaigns(*, log=print) -> list[Campaign]:
    demo_village_facts()
    campaigns = []
    for spec in CAMPAIGNS:
        spec = dict(spec)
        villages, criteria = spec.pop("villages"), spec.pop("criteria")
        office = BranchOffice.objects.get(name=spec.pop("office"))
        campaign, _ = Campaign.objects.update_or_create(
            slug=spec.pop("slug"), defaults={**spec, "branch_office": office}
        )
        taking_part = []
        for key, target in villages.items():
            for village in _villages(key):
                CampaignVillage.objects.update_or_create(
                    campaign=campaign, village=village, defaults={"target_override": target}
                )
                taking_part.append(village.pk)
        # A demo loaded before kept kelurahan in Gresik's campaign: they have no Dana Desa.
        campaign.participations.exclude(village__in=taking_part).delete()
        if campaign.kind == Campaign.Kind.SATU_DESA_SERATUS:
            _gresik_targets(campaign)
        for measure, weight in criteria.items():
            ScoreCriterion.objects.update_or_create(
                campaign=campaign, measure=measure, defaults={"weight": weight}
            )
        campaigns.append(campaign)
    by_slug = {campaign.slug: campaign for campaign in campaigns}
    for slug, kind, held_on, place, village, attendees, notes in EVENTS:
        SocializationEvent.objects.update_or_create(
            held_on=held_on,
            place=place,
            defaults={
                "campaign": by_slug[slug],
                "kind": kind,
                "village_id": village,
                "attendees": attendees,
                "notes": notes,
            },
        )
    log(f"Campaigns: {len(campaigns)}, socialization events: {len(EVENTS)}.")
    return campaigns
