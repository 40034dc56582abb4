"""A made-up but realistic OpenSID resident export for Socorejo (35.23.12.2002): families over
three dusun, five RW and their RT, with what real exports hold and the portal must cope with:
residents who died or moved away, temporary NIKs, the same person entered twice under another
NIK, codes written as names, "-" for empty cells, dates as spreadsheet dates and as text.

Generated, never real people: the names are common Javanese names drawn at random. The demo
command, the demo-mode download and the tests use it.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field

from .residents import COLUMNS, END_MARK, occupations

VILLAGE_CODE = "35.23.12.2002"
# dusun -> RW -> number of RT
AREAS = {
    "KRAJAN": {"001": 3, "002": 3},
    "SOCOREJO": {"003": 3, "004": 2},
    "TEGALREJO": {"005": 3},
}
STREETS = ["Jl. Raya Socorejo", "Jl. Pantai Utara", "Jl. Masjid", "Jl. Balai Desa", "Gg. Melati"]
MEN = [
    "Sutrisno", "Suparman", "Slamet", "Sugeng", "Mulyono", "Bambang Irawan", "Joko Susilo",
    "Agus Salim", "Darmaji", "Kasiman", "Rasimin", "Suwito", "Hartono", "Sukardi", "Tarmuji",
    "Paijo", "Wagiman", "Ngatijo", "Purnomo", "Eko Prasetyo", "Budi Santoso", "Dwi Cahyono",
    "Ahmad Fauzi", "Muhammad Rifai", "Imam Syafii", "Nur Kholis", "Abdul Rohman", "Yusuf Efendi",
]  # fmt: skip
WOMEN = [
    "Siti Aminah", "Sri Rahayu", "Suwarni", "Sumarni", "Painem", "Sulastri", "Partini",
    "Tumini", "Wartini", "Kasminah", "Rukmini", "Darsih", "Sutini", "Endang Susilowati",
    "Dewi Lestari", "Nur Hidayah", "Siti Fatimah", "Umi Kulsum", "Lilis Suryani", "Ani Wijayanti",
    "Yuli Astutik", "Eni Rahmawati", "Khoirul Ummah", "Musrifah", "Rohmah", "Zulaikha",
]  # fmt: skip
# Second names make the common first names rarer, as in a real village.
SECOND_NAMES = [
    "Hadi", "Wibowo", "Santoso", "Prasetyo", "Susanto", "Hidayat", "Rahman", "Saputra",
    "Wahyudi", "Setiawan", "Kurniawan", "Utomo", "Purwanto", "Nugroho", "Hariyanto", "Aziz",
]  # fmt: skip
BIRTH_PLACES = ["TUBAN"] * 8 + ["BOJONEGORO", "LAMONGAN", "REMBANG", "SURABAYA"]
# Occupation codes by who holds them, with weights (OpenSID's PekerjaanEnum).
HEAD_JOBS = {9: 14, 11: 14, 19: 12, 88: 8, 84: 6, 20: 6, 21: 8, 15: 6, 81: 3, 13: 3, 85: 2, 18: 2}
WIFE_JOBS = {2: 30, 84: 6, 9: 5, 19: 4, 88: 3, 23: 2, 30: 2, 18: 1}
YOUNG_ADULT_JOBS = {3: 5, 15: 5, 19: 5, 1: 4, 21: 3, 88: 2, 18: 1}
OTHER_DISTRICTS = ["352310", "352205", "352408"]  # moved in: NIK issued elsewhere


@dataclass
class Person:
    name: str
    sex: str  # "1" or "2"
    birth_date: datetime.date
    birth_place: str
    kk_level: int
    occupation: int
    nik: str = ""
    father: Person | None = None
    mother: Person | None = None
    status: int = 1
    extra: dict = field(default_factory=dict)


class _Numbers:
    """Unique NIKs and family-card numbers: district + DDMMYY (women: day + 40) + serial."""

    def __init__(self):
        self.serials = defaultdict(int)

    def nik(self, district: str, born: datetime.date, female: bool) -> str:
        day = born.day + (40 if female else 0)
        stem = f"{district}{day:02d}{born:%m%y}"
        self.serials[stem] += 1
        return f"{stem}{self.serials[stem]:04d}"

    def family_card(self, issued: datetime.date) -> str:
        stem = f"352312{issued:%d%m%y}"
        self.serials["kk" + stem] += 1
        return f"{stem}{self.serials['kk' + stem]:04d}"


def _birth(rng: random.Random, today: datetime.date, low: int, high: int) -> datetime.date:
    return today - datetime.timedelta(days=rng.randint(low * 365 + 30, high * 365 + 300))


def _name(rng: random.Random, male: bool) -> str:
    first = rng.choice(MEN if male else WOMEN)
    return f"{first} {rng.choice(SECOND_NAMES)}" if rng.random() < 0.6 else first


def _pick(rng: random.Random, weights: dict[int, int]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _families(rng: random.Random, count: int, today: datetime.date) -> list[tuple[dict, list]]:
    """(household, members) until `count` residents: a head, mostly a wife, children, sometimes
    a parent of the head."""
    numbers = _Numbers()
    areas = [(dusun, rw, rt) for dusun, rws in AREAS.items() for rw, rts in rws.items()
             for rt in range(1, rts + 1)]  # fmt: skip
    households, total = [], 0
    while total < count:
        dusun, rw, rt = areas[len(households) % len(areas)]
        head_male = rng.random() < 0.88
        head = Person(
            name=_name(rng, head_male),
            sex="1" if head_male else "2",
            birth_date=_birth(rng, today, 24, 72),
            birth_place=rng.choice(BIRTH_PLACES),
            kk_level=1,
            occupation=_pick(rng, HEAD_JOBS),
        )
        members = [head]
        wife = None
        if head_male and rng.random() < 0.85:
            age = max(19, (today - head.birth_date).days // 365 - rng.randint(-2, 8))
            wife = Person(
                name=_name(rng, False), sex="2", birth_date=_birth(rng, today, age, age),
                birth_place=rng.choice(BIRTH_PLACES), kk_level=3, occupation=_pick(rng, WIFE_JOBS),
            )  # fmt: skip
            members.append(wife)
        head_age = (today - head.birth_date).days // 365
        for _child in range(rng.choice([0, 1, 2, 2, 3, 3, 4])):
            age = rng.randint(0, max(0, min(35, head_age - 20)))
            male = rng.random() < 0.5
            job = 1 if age < 6 else 3 if age < 18 else _pick(rng, YOUNG_ADULT_JOBS)
            members.append(
                Person(
                    name=rng.choice(MEN if male else WOMEN),
                    sex="1" if male else "2",
                    birth_date=_birth(rng, today, age, age),
                    birth_place="TUBAN",
                    kk_level=4,
                    occupation=job,
                    father=head if head_male else None,
                    mother=wife,
                )  # fmt: skip
            )
        if rng.random() < 0.1:
            members.append(
                Person(
                    name=rng.choice(WOMEN),
                    sex="2",
                    birth_date=_birth(rng, today, 68, 85),
                    birth_place=rng.choice(BIRTH_PLACES),
                    kk_level=7,
                    occupation=1,
                )  # fmt: skip
            )
        for person in members:
            district = rng.choice(OTHER_DISTRICTS) if rng.random() < 0.06 else "352312"
            person.nik = numbers.nik(district, person.birth_date, person.sex == "2")
        household = {
            "dusun": dusun,
            "rw": rw,
            "rt": f"{rt:03d}",
            "alamat": f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}",
            "no_kk": numbers.family_card(_birth(rng, today, 1, 20)),
        }
        households.append((household, members))
        total += len(members)
    return households


def _temporary_nik(rng: random.Random) -> str:
    """What OpenSID gives a resident whose NIK is unknown: 16 digits starting with 0."""
    return f"0{rng.randrange(10**14, 10**15)}"


def _mess_up(rng: random.Random, households: list[tuple[dict, list]]) -> None:
    """What real exports hold: people who died or moved, temporary NIKs, people entered twice."""
    people = [person for _household, members in households for person in members]
    adults = [p for p in people if p.kk_level in (1, 3) and p.status == 1]
    for person in rng.sample(people, max(2, len(people) * 3 // 100)):
        person.status = 2  # died
    for person in rng.sample(people, max(2, len(people) * 3 // 100)):
        person.status = rng.choice([3, 3, "PINDAH DALAM NEGERI", 6])  # moved, or left
    for person in rng.sample(people, max(4, len(people) // 40)):
        person.nik = "0" if rng.random() < 0.4 else _temporary_nik(rng)
    living_adults = [p for p in adults if p.status == 1 and p.nik != "0"]
    # The same person entered again under another NIK, in another household (OpenSID #6998).
    for original in rng.sample(living_adults, min(4, len(living_adults))):
        copy = Person(**{**original.__dict__, "extra": {}})
        copy.kk_level = 9  # famili lain
        copy.nik = (
            _temporary_nik(rng)
            if rng.random() < 0.5 or original.nik.startswith("0")
            else f"{original.nik[:12]}{int(original.nik[12:]) + 5000:04d}"
        )
        copy.extra = {"duplicate_of": original.nik}
        households[rng.randrange(len(households))][1].append(copy)


def _row(household: dict, person: Person, rng: random.Random) -> list:
    occupation = person.occupation
    coded = {
        "sex": person.sex if rng.random() < 0.9 else ("L" if person.sex == "1" else "P"),
        "pekerjaan_id": occupation if rng.random() < 0.9 else occupations()[occupation].name,
        "status_dasar": person.status,
    }
    draw = rng.random()
    born = person.birth_date
    birth = (
        datetime.datetime.combine(born, datetime.time())
        if draw < 0.6
        else born.strftime("%d-%m-%Y")
        if draw < 0.85
        else born.isoformat()
    )
    father, mother = person.father, person.mother
    values = {
        **household,
        "nama": person.name.upper(),
        "nik": person.nik,
        "tempatlahir": person.birth_place,
        "tanggallahir": birth,
        "agama_id": 1,
        "pendidikan_kk_id": rng.randint(1, 6) if person.kk_level != 4 else rng.randint(1, 4),
        "pendidikan_sedang_id": "-",
        "status_kawin": 2 if person.kk_level in (1, 3) else 1,
        "kk_level": person.kk_level,
        "warganegara_id": 1,
        "ayah_nik": father.nik if father else "-",
        "nama_ayah": father.name.upper() if father else rng.choice(MEN).upper(),
        "ibu_nik": mother.nik if mother else "-",
        "nama_ibu": mother.name.upper() if mother else rng.choice(WOMEN).upper(),
        "golongan_darah_id": 13,
        "suku": "JAWA",
        **coded,
    }
    return [values.get(column, "-") for column in COLUMNS]


def resident_export(
    *, residents: int = 400, seed: int = 2019, today: datetime.date | None = None
) -> bytes:
    """The workbook as OpenSID exports it: sheet "Data Penduduk" (one row per resident, the
    column names first, "###" after the last) and sheet "Kode Data" (code tables)."""
    from openpyxl import Workbook

    today = today or datetime.date.today()
    rng = random.Random(seed)
    households = _families(rng, residents, today)
    _mess_up(rng, households)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data Penduduk")
    sheet.append(list(COLUMNS))
    for household, members in households:
        for person in members:
            sheet.append(_row(household, person, rng))
    sheet.append(["", END_MARK])
    codes = workbook.create_sheet("Kode Data")
    codes.append(["pekerjaan_id", "Pekerjaan", "", "status_dasar", "Status"])
    statuses = [(1, "HIDUP"), (2, "MATI"), (3, "PINDAH"), (4, "HILANG"), (6, "PERGI"),
                (9, "TIDAK VALID")]  # fmt: skip
    for index, occupation in enumerate(occupations().values()):
        status = statuses[index] if index < len(statuses) else ("", "")
        codes.append([occupation.code, occupation.name, "", *status])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
