"""Reading OpenSID's resident export: columns by name, "Kode Data" skipped, "###" honoured,
codes or names, "-" empty, dates in every form OpenSID accepts; who is offered, who is not and
why; possible duplicates. Pure functions: no database."""

import datetime
import io

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opensid import demo, residents
from opensid.residents import Standing, read_export, standing
from sheets.reading import ImportRefused

from .exports import export_bytes, minimal

TODAY = datetime.date(2026, 6, 1)
AGES = (15, 64)
# Valid for Jenu (35.23.12): a man born 08-01-1990 and a woman born 12-03-1985.
MAN = "3523120801900001"
WOMAN = "3523125203850002"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(content: bytes, name: str = "penduduk.xlsx"):
    return read_export(io.BytesIO(content), name=name, size=len(content))


def test_the_demo_export_reads_whole():
    """The generated Socorejo export: every resident up to "###", the "Kode Data" sheet not
    read as residents, no cell it cannot read."""
    content = demo.resident_export(residents=300, today=TODAY)
    export = read(content)
    assert export.sheet == "Data Penduduk"
    assert 300 <= len(export.residents) < 330
    assert export.ignored == []
    assert [r for r in export.residents if r.problems] == []
    areas = {(r.dusun, r.rw, r.rt) for r in export.residents}
    assert {dusun for dusun, _rw, _rt in areas} == {"KRAJAN", "SOCOREJO", "TEGALREJO"}
    assert ("KRAJAN", "001", "002") in areas


def test_the_demo_export_holds_what_real_exports_hold():
    """Dead and moved residents, temporary NIKs, the same person twice under another NIK, and
    NIKs issued in Jenu."""
    export = read(demo.resident_export(residents=400, today=TODAY))
    standings = [standing(r, today=TODAY, ages=AGES)[0] for r in export.residents]
    assert standings.count(Standing.NOT_LIVING) >= 10
    assert standings.count(Standing.TEMPORARY_NIK) >= 2
    assert standings.count(Standing.OFFERED) >= 150
    assert residents.possible_duplicates(export.residents)
    offered = [r for r, s in zip(export.residents, standings, strict=True) if s == "offered"]
    jenu = [r for r in offered if r.nik.startswith("352312")]
    assert len(jenu) > 0.8 * len(offered)


def test_a_minimal_export_reads():
    """Only nama, nik, sex, tanggallahir, pekerjaan_id, dusun, rw and rt."""
    export = read(minimal([["SITI AMINAH", WOMAN, 2, "12-03-1985", 11, "Krajan", "1", "2"]]))
    (siti,) = export.residents
    assert (siti.row, siti.name, siti.nik, siti.sex) == (2, "SITI AMINAH", WOMAN, "F")
    assert siti.birth_date == datetime.date(1985, 3, 12)
    assert siti.occupation.name == "NELAYAN/PERIKANAN"
    assert siti.occupation.category == "rentan"
    assert (siti.dusun, siti.rw, siti.rt) == ("KRAJAN", "001", "002")
    assert siti.status == residents.LIVING


def test_columns_are_matched_by_name_and_unknown_ones_ignored():
    columns = ["catatan", "rt", "nik", "nama", "no_hp", "pekerjaan_id", "dusun", "rw"]
    export = read(
        minimal(
            [["x", "003", MAN, "SUTRISNO", "0812", "BURUH HARIAN LEPAS", "Dusun_Krajan", "1"]],
            columns=columns,
        )  # fmt: skip
    )
    (sutrisno,) = export.residents
    assert (sutrisno.name, sutrisno.nik, sutrisno.rt, sutrisno.rw) == (
        "SUTRISNO",
        MAN,
        "003",
        "001",
    )
    assert sutrisno.dusun == "KRAJAN"
    assert sutrisno.occupation.code == 19
    assert export.ignored == ["catatan", "no_hp"]


def test_the_kode_data_sheet_is_skipped_even_when_first():
    codes = [["pekerjaan_id", "Pekerjaan"], [9, "PETANI/PEKEBUN"], [11, "NELAYAN/PERIKANAN"]]
    rows = [["nama", "nik"], ["SUTRISNO", MAN]]
    export = read(export_bytes(rows, sheets={"Kode Data": codes, "Penduduk": None}))
    assert export.sheet == "Penduduk"
    assert [r.name for r in export.residents] == ["SUTRISNO"]


def test_the_sheet_data_penduduk_is_preferred():
    rows = [["nama", "nik"], ["SUTRISNO", MAN]]
    other = [["nama", "nik"], ["ORANG LAIN", WOMAN]]
    export = read(export_bytes(rows, sheets={"Catatan": other, "Data Penduduk": None}))
    assert [r.name for r in export.residents] == ["SUTRISNO"]


def test_three_hashes_in_the_second_column_end_the_data():
    rows = [["nama", "nik"], ["SUTRISNO", MAN], ["", "###"], ["SESUDAH AKHIR", WOMAN]]
    assert [r.name for r in read(export_bytes(rows)).residents] == ["SUTRISNO"]


def test_codes_and_names_are_both_accepted():
    columns = ["nama", "nik", "sex", "pekerjaan_id", "status_dasar"]
    export = read(
        minimal(
            [
                ["A", MAN, 1, 9, 1],
                ["B", MAN[:-1] + "3", "L", "petani / pekebun", "HIDUP"],
                ["C", WOMAN, "P", "Petani/Pekebun", "mati"],
                ["D", WOMAN[:-1] + "4", "PEREMPUAN", "9", "PINDAH DALAM NEGERI"],
                ["E", MAN[:-1] + "5", "laki-laki", "PERANGKAT DESA", 3],
            ],
            columns=columns,
        )
    )
    assert [r.sex for r in export.residents] == ["M", "M", "F", "F", "M"]
    assert [r.occupation_code for r in export.residents] == [9, 9, 9, 9, 85]
    assert [r.status for r in export.residents] == [1, 1, 2, 3, 3]
    assert [r.problems for r in export.residents] == [[]] * 5


def test_a_dash_is_empty_and_unknown_codes_are_reported():
    columns = ["nama", "nik", "sex", "tempatlahir", "pekerjaan_id", "status_dasar"]
    export = read(
        minimal([["A", MAN, "-", "-", "-", "-"], ["B", WOMAN, "X", "TUBAN", 90, "ENTAH"]], columns)
    )
    dash, unknown = export.residents
    assert (dash.sex, dash.birth_place, dash.occupation_code, dash.status) == ("", "", None, 1)
    assert dash.problems == []
    assert unknown.occupation_code is None
    # An unreadable status is "not valid": such a resident is never offered.
    assert unknown.status == residents.INVALID
    assert len(unknown.problems) == 3


@pytest.mark.parametrize(
    "cell",
    [
        datetime.datetime(1990, 1, 8),
        datetime.date(1990, 1, 8),
        32881,  # the spreadsheet's serial number of 08-01-1990
        "08-01-1990",
        "1990-01-08",
        "08/01/1990",
        "'08-01-1990",
    ],
)
def test_birth_dates_in_every_form_opensid_accepts(cell):
    export = read(minimal([["A", MAN, 1, cell, 9, "KRAJAN", "1", "1"]]))
    assert export.residents[0].birth_date == datetime.date(1990, 1, 8)


def test_an_unreadable_birth_date_is_reported():
    (resident,) = read(minimal([["A", MAN, 1, "bulan lalu", 9, "K", "1", "1"]])).residents
    assert resident.birth_date is None
    assert resident.problems == ["tanggallahir: bulan lalu is not a date."]


@pytest.mark.parametrize("nik", ["0", 0, "0352312080190001", "0000000000000042"])
def test_temporary_niks_are_shown_as_not_eligible(nik):
    (resident,) = read(minimal([["A", nik, 1, "08-01-1990", 9, "K", "1", "1"]])).residents
    assert resident.temporary_nik
    found, reason = standing(resident, today=TODAY, ages=AGES)
    assert found == Standing.TEMPORARY_NIK
    assert "temporary NIK" in reason


def test_a_nik_stored_as_a_number_is_not_eligible_and_says_why():
    (resident,) = read(minimal([["A", 3523120801900001, 1, "08-01-1990", 9, "K", "1", "1"]]))\
        .residents  # fmt: skip
    found, reason = standing(resident, today=TODAY, ages=AGES)
    assert found == Standing.INVALID_NIK
    assert "stored the NIK as a number" in reason


@pytest.mark.parametrize("status", [2, 3, 4, 6, 9, "MATI", "PINDAH", "PINDAH LUAR NEGERI"])
def test_residents_no_longer_living_in_the_village_are_left_out(status):
    columns = ["nama", "nik", "tanggallahir", "status_dasar"]
    (resident,) = read(minimal([["A", MAN, "08-01-1990", status]], columns)).residents
    assert standing(resident, today=TODAY, ages=AGES) == (Standing.NOT_LIVING, "")


def test_a_dead_resident_with_a_temporary_nik_is_left_out_not_shown():
    columns = ["nama", "nik", "tanggallahir", "status_dasar"]
    (resident,) = read(minimal([["A", "0", "08-01-1990", 2]], columns)).residents
    assert standing(resident, today=TODAY, ages=AGES)[0] == Standing.NOT_LIVING


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (datetime.date(2011, 6, 2), Standing.AGE),  # 14 the day before the 15th birthday
        (datetime.date(2011, 6, 1), Standing.OFFERED),  # 15 today
        (datetime.date(1961, 6, 2), Standing.OFFERED),  # 64, 65 tomorrow
        (datetime.date(1961, 6, 1), Standing.AGE),  # 65 today
    ],
)
def test_only_working_ages_are_offered(born, expected):
    nik = f"352312{born:%d%m%y}0001"
    columns = ["nama", "nik", "tanggallahir"]
    (resident,) = read(minimal([["A", nik, born]], columns)).residents
    assert standing(resident, today=TODAY, ages=AGES)[0] == expected


def test_without_a_birth_date_the_age_comes_from_the_nik():
    (child,) = read(minimal([["ANAK", "3523121505200001"]], ["nama", "nik"])).residents
    assert standing(child, today=TODAY, ages=AGES)[0] == Standing.AGE
    (adult,) = read(minimal([["DEWASA", MAN]], ["nama", "nik"])).residents
    assert standing(adult, today=TODAY, ages=AGES)[0] == Standing.OFFERED


def test_possible_duplicates_same_name_birth_date_and_birthplace_or_mother():
    columns = ["nama", "nik", "tempatlahir", "tanggallahir", "nama_ibu"]
    export = read(
        minimal(
            [
                ["Siti Aminah", WOMAN, "TUBAN", "12-03-1985", "PAINEM"],
                ["SITI  AMINAH", "0", "Tuban", "1985-03-12", "-"],  # temporary NIK, re-entered
                ["SUTRISNO", MAN, "TUBAN", "08-01-1990", "SUMARNI"],
                ["Sutrisno", "3523120801900009", "LAMONGAN", "08-01-1990", "Sumarni"],  # mother
                ["SUTRISNO", "3523120801900010", "REMBANG", "08-01-1990", "TUMINI"],  # other man
                ["JOKO", "3523121705800001", "TUBAN", "17-05-1980", ""],
                ["JOKO SUSILO", "3523121705800001", "TUBAN", "17-05-1980", ""],  # same NIK
            ],
            columns,
        )
    )
    found = residents.possible_duplicates(export.residents)
    assert set(found) == {2, 3, 4, 5, 7, 8}
    assert found[2] == [
        "Possibly the same person as row 3 (SITI  AMINAH, NIK temporary): same name and birth "
        "date, and the same birthplace."
    ]
    assert found[3] == [
        "Possibly the same person as row 2 (Siti Aminah, NIK 352312******0002): same name and "
        "birth date, and the same birthplace."
    ]
    assert "row 5" in found[4][0] and "the same mother's name" in found[4][0]
    assert "row 4" in found[5][0] and "the same mother's name" in found[5][0]
    assert found[7] == ["The same NIK as row 8."]
    assert found[8] == ["The same NIK as row 7."]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"nama;nik\nA;3523120801900001\n", "penduduk.csv", "wrong_type"),
        (b"", "penduduk.xlsx", "empty"),
        (b"PK\x03\x04 not really a workbook", "penduduk.xlsx", "damaged"),
        (export_bytes([["Nama Lengkap", "NIK"], ["A", MAN]]), "penduduk.xlsx", "missing_columns"),
        (export_bytes([["nama", "nik"], ["", "###"]]), "penduduk.xlsx", "no_rows"),
    ],
)
def test_files_that_are_not_an_opensid_export_are_refused(content, name, code):
    with pytest.raises(ImportRefused) as refused:
        read(content, name)
    assert refused.value.code == code
    assert refused.value.message


def test_the_occupation_table_has_opensids_89_codes():
    table = residents.occupations()
    assert sorted(table) == list(range(1, 90))
    assert table[9].name == "PETANI/PEKEBUN" and table[9].category == "rentan"
    assert table[11].category == table[19].category == "rentan"
    assert table[85].category == "perangkat"
    assert table[18].category == "honorer"
    assert table[88].name == "WIRASWASTA" and table[89].name == "LAINNYA"
    assert table[1].category is None


def test_a_five_thousand_resident_export_reads_whole():
    """A large village's export (5,000 residents): every row read, streaming."""
    content = demo.resident_export(residents=5000, today=TODAY)
    export = read(content)
    assert 5000 <= len(export.residents) < 5100
    assert [r.row for r in export.residents] == list(range(2, len(export.residents) + 2))


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
cells = st.one_of(
    st.none(),
    # What a worksheet can hold: no control characters.
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["-", "###", "0", "L", "P", "MATI", "PINDAH", "31-02-1990", "1990-13-01"]),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1)),
)


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=5, max_size=5), min_size=1, max_size=8))
def test_any_cells_are_read_or_refused_never_crash(rows):
    """Whatever the cells hold, reading gives residents (with their problems) or ImportRefused,
    and deciding who is offered never fails."""
    columns = ["nama", "nik", "sex", "tanggallahir", "status_dasar"]
    try:
        export = read(minimal(rows, columns))
    except ImportRefused as refused:
        assert refused.message
        return
    for resident in export.residents:
        assert standing(resident, today=TODAY, ages=AGES)[0] in (
            Standing.OFFERED, Standing.TEMPORARY_NIK, Standing.INVALID_NIK, Standing.NOT_LIVING,
            Standing.AGE,
        )  # fmt: skip
    residents.possible_duplicates(export.residents)


@FUZZ
@given(content=st.binary(max_size=2000), name=st.sampled_from(["a.xlsx", "a.csv", "a.xls", "a"]))
def test_any_bytes_are_refused_with_a_message(content, name):
    with pytest.raises(ImportRefused) as refused:
        read(content, name)
    assert refused.value.message
