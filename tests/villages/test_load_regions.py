import shutil

import pytest
from django.core.management import CommandError, call_command

from villages.models import District, Province, Regency, Village
from villages.regions import DATA_DIR


def copy_data(tmp_path):
    directory = tmp_path / "regions"
    directory.mkdir()
    for name in ["provinces.csv", "regencies.csv", "districts.csv", "villages.csv"]:
        shutil.copy(DATA_DIR / name, directory / name)
    return directory


def counts():
    return (
        Province.objects.count(),
        Regency.objects.count(),
        District.objects.count(),
        Village.objects.count(),
    )


@pytest.mark.django_db
def test_load_regions_loads_all_of_indonesia_twice_without_duplicates():
    """The bundled 2025 data: 38 provinces, 514 regencies, 7,285 districts, 83,762 villages,
    and the second run changes nothing."""
    call_command("load_regions")
    assert counts() == (38, 514, 7285, 83762)
    socorejo = Village.objects.with_names().get(code="35.23.12.2002")
    assert socorejo.full_name == "Socorejo, Jenu, Kabupaten Tuban"
    call_command("load_regions")
    assert counts() == (38, 514, 7285, 83762)
    assert Village.objects.filter(name="Karanglewas", district__regency__code="33.02").count() == 1


@pytest.mark.django_db
def test_a_renamed_region_is_updated_not_duplicated(tmp_path):
    """Running again with a changed name updates the row with the same code."""
    directory = copy_data(tmp_path)
    call_command("load_regions", directory=directory)
    villages = directory / "villages.csv"
    villages.write_text(
        villages.read_text().replace(
            "35.23.12.2002,35.23.12,Socorejo", "35.23.12.2002,35.23.12,Socorejo Baru"
        )
    )
    call_command("load_regions", directory=directory)
    assert Village.objects.get(code="35.23.12.2002").name == "Socorejo Baru"
    assert Village.objects.count() == 83762


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file_name", "old", "new", "message"),
    [
        (
            "villages.csv",
            "35.23.12.2002,35.23.12,Socorejo",
            "35.23.12.22,35.23.12,Socorejo",
            "malformed village code '35.23.12.22'",
        ),
        (
            "villages.csv",
            "35.23.12.2002,35.23.12,Socorejo",
            "35.23.12.2002,35.23.99,Socorejo",
            "refers to unknown district_code '35.23.99'",
        ),
        (
            "districts.csv",
            "35.23.12,35.23,Jenu",
            "35.23.12,35.23,",
            "district 35.23.12 has no name",
        ),
        ("provinces.csv", "code,name", "kode,nama", "missing column(s) code, name"),
    ],
)
def test_a_malformed_file_gives_a_clear_error_and_loads_nothing(
    tmp_path, file_name, old, new, message
):
    """Nothing is half-loaded: the files are checked before anything is written."""
    directory = copy_data(tmp_path)
    path = directory / file_name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(CommandError) as error:
        call_command("load_regions", directory=directory)
    assert message in str(error.value)
    assert "Nothing was loaded" in str(error.value)
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_csv_is_refused(tmp_path):
    """Binary garbage in place of a CSV file is reported, not loaded."""
    directory = copy_data(tmp_path)
    (directory / "regencies.csv").write_bytes(b"code,province_code,name\n\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not a readable UTF-8 CSV file"):
        call_command("load_regions", directory=directory)
    assert counts() == (0, 0, 0, 0)
