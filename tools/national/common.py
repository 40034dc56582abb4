"""Constants, names and words and the report of the national data set (tools.national)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from faker.providers.person.id_ID import Provider as IndonesianNames

from enrollment.models import (
    Agent,
    FundedPeriod,
    FundingSource,
    Participant,
    Payment,
    Registration,
    RegistrationEvent,
    WorkerCategory,
)

USERNAME_PREFIX = "nasional-"
NATIONAL_SLUG = "desa-sadar-nasional"
NATIONAL_NAME = "Desa Sadar Jaminan Sosial Ketenagakerjaan"
HEAD_OFFICE = "Kantor Pusat BPJS Ketenagakerjaan"
AGENT_ORGANIZATION = "Koperasi Perisai Nusantara"
COVERED_FROM = datetime.date(2016, 1, 1)
CAMPAIGN_WEEKS_SO_FAR = 40
DEFAULT_TARGET = 20
REGENCIES_PER_BRANCH = 4
REGIONAL_OFFICES = 11
SEED = 2025

# The personal-data tables --reset empties (TRUNCATE ... CASCADE).
PERSONAL_TABLES = [
    Payment._meta.db_table,
    RegistrationEvent._meta.db_table,
    FundedPeriod._meta.db_table,
    Registration._meta.db_table,
    Participant._meta.db_table,
    Agent.villages.through._meta.db_table,
    Agent._meta.db_table,
]


class NationalDataError(Exception):
    """The data set cannot be generated here; the message says why and what to do."""


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Report:
    villages: int = 0
    regencies: int = 0
    offices: int = 0
    campaigns: int = 0
    participants: int = 0
    skipped: bool = False
    peak_mb: float = 0.0  # the process's peak resident memory once the data was copied
    reconciled: str = ""
    tables: dict[str, TableStat] = field(default_factory=lambda: defaultdict(TableStat))
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What was generated, with the rows per second of each table's COPY."""
        lines = [
            f"Villages {self.villages:,}, regencies {self.regencies:,}, branch offices "
            f"{self.offices:,}, campaigns {self.campaigns:,}.",
        ]
        if self.skipped:
            lines.append(f"{self.participants:,} generated participants already present.")
        for table, stat in self.tables.items():
            lines.append(
                f"  {table:<30} {stat.rows:>12,} rows {stat.seconds:>8.1f} s "
                f"{stat.rate:>10,.0f} rows/s"
            )
        return lines

    def timing(self) -> str:
        timing = "Time: " + ", ".join(
            f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items()
        )
        return timing + (f". Peak memory {self.peak_mb:,.0f} MB." if self.peak_mb else ".")


# Names and words ------------------------------------------------------------------------------

MALE_FIRST = list(IndonesianNames.first_names_male)
FEMALE_FIRST = list(IndonesianNames.first_names_female)
MALE_LAST = list(IndonesianNames.last_names_male)
FEMALE_LAST = list(IndonesianNames.last_names_female)
PLACE_START = ["Suka", "Karang", "Sumber", "Tanjung", "Mekar", "Sido", "Banyu", "Wono", "Kali"]
PLACE_END = ["maju", "jaya", "makmur", "rejo", "sari", "mulya", "harjo", "agung", "asri", "luhur"]
OCCUPATIONS = {
    WorkerCategory.VULNERABLE: [
        "Buruh tani",
        "Nelayan",
        "Pedagang kaki lima",
        "Buruh harian lepas",
        "Pemulung",
        "Tukang ojek",
    ],
    WorkerCategory.INFORMAL: [
        "Petani",
        "Pedagang",
        "Peternak",
        "Pengrajin",
        "Penjahit",
        "Sopir",
        "Montir",
    ],
    WorkerCategory.VILLAGE_OFFICIAL: [
        "Kepala Desa",
        "Sekretaris Desa",
        "Kepala Dusun",
        "Kaur Keuangan",
        "Kasi Pemerintahan",
    ],
    WorkerCategory.RT_RW_HEAD: ["Ketua RT", "Ketua RW"],
    WorkerCategory.CONTRACT: ["Guru honorer", "Tenaga kesehatan honorer", "Staf honorer desa"],
    WorkerCategory.FORMAL: ["Karyawan swasta", "Buruh pabrik"],
}
# Share of participants per category (per mille).
CATEGORY_SHARES = {
    WorkerCategory.VULNERABLE: 340,
    WorkerCategory.INFORMAL: 300,
    WorkerCategory.RT_RW_HEAD: 100,
    WorkerCategory.VILLAGE_OFFICIAL: 80,
    WorkerCategory.CONTRACT: 80,
    WorkerCategory.FORMAL: 100,
}
F = FundingSource
# Who pays, per category (per mille): village officials mostly from the village budget, the
# self-employed mostly themselves.
FUNDING_SHARES = {
    WorkerCategory.VILLAGE_OFFICIAL: {F.DANA_DESA: 550, F.ADD: 350, F.PARTICIPANT: 100},
    WorkerCategory.RT_RW_HEAD: {F.DANA_DESA: 400, F.ADD: 200, F.APBD: 200, F.PARTICIPANT: 200},
    WorkerCategory.VULNERABLE: {
        F.DANA_DESA: 250,
        F.ADD: 100,
        F.APBD: 150,
        F.CSR: 100,
        F.JIMPITAN: 50,
        F.BANK_SAMPAH: 50,
        F.PARTICIPANT: 250,
        F.OTHER: 50,
    },
    WorkerCategory.INFORMAL: {
        F.PARTICIPANT: 800,
        F.JIMPITAN: 50,
        F.BANK_SAMPAH: 50,
        F.CSR: 50,
        F.OTHER: 50,
    },
    WorkerCategory.CONTRACT: {F.APBD: 500, F.ADD: 200, F.PARTICIPANT: 300},
    # Formal employees are their employer's: it registers and pays them (issue 18).
    WorkerCategory.FORMAL: {F.EMPLOYER: 1000},
}
# Declared monthly income in Rp 100,000 steps (low, high) and the share choosing JHT (per mille).
INCOMES = {
    WorkerCategory.VULNERABLE: (10, 15, 50),
    WorkerCategory.INFORMAL: (10, 50, 200),
    WorkerCategory.VILLAGE_OFFICIAL: (10, 30, 100),
    WorkerCategory.RT_RW_HEAD: (10, 12, 50),
    WorkerCategory.CONTRACT: (10, 30, 100),
    WorkerCategory.FORMAL: (20, 80, 300),
}
CSR_COMPANIES = [
    "PT Semen Indonesia (Persero) Tbk",
    "PT Pertamina (Persero)",
    "PT Petrokimia Gresik",
    "PT Pupuk Indonesia (Persero)",
    "PT PLN (Persero)",
    "PT Telkom Indonesia (Persero) Tbk",
]
REJECTION_REASONS = [
    "NIK tidak sesuai KTP",
    "Sudah terdaftar sebagai peserta dengan KPJ lain",
    "Usia di luar ketentuan kepesertaan",
    "Foto KTP tidak terbaca",
]
PHONE_PREFIXES = ["811", "812", "813", "821", "822", "852", "853", "857", "877", "878", "895"]
# Months each funding source pays at a time.
FUNDED_MONTHS = {
    F.DANA_DESA: 6,
    F.ADD: 6,
    F.APBD: 12,
    F.CSR: 12,
    F.JIMPITAN: 3,
    F.BANK_SAMPAH: 3,
    F.PARTICIPANT: 3,
    F.OTHER: 3,
}
VILLAGE_FUNDED = set(FundingSource.village_funded())
MILLE = 1000
NULL = "\\N"  # COPY's text format for NULL


def share_table(shares: dict) -> list:
    """A lookup table of 1000 entries: table[int(random() * 1000)] draws by the shares."""
    table = [key for key, share in shares.items() for _ in range(share)]
    assert len(table) == MILLE, shares
    return table


def _copy_safe(*lists) -> None:
    """COPY's text format gives tabs, newlines and backslashes a meaning: none may appear."""
    for words in lists:
        for word in words:
            assert not any(char in word for char in "\t\n\r\\"), word


_copy_safe(MALE_FIRST, FEMALE_FIRST, MALE_LAST, FEMALE_LAST, CSR_COMPANIES, REJECTION_REASONS)
