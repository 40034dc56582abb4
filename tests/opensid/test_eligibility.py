"""Who may enrol, through OpenSID (issue 18): the list offers only residents the registration
form's rule accepts (for the category their occupation suggests), and the ticked residents are
checked again by that same rule for the category chosen for the batch."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.models import AgeLimit
from opensid import services

from ..factories import UserFactory, VillageFactory
from .exports import minimal

COLUMNS = ["nama", "nik", "sex", "tempatlahir", "tanggallahir", "pekerjaan_id", "dusun", "rw",
           "rt", "nama_ibu"]  # fmt: skip
FISHERMAN, VILLAGE_OFFICIAL = 11, 85  # OpenSID pekerjaan_id: rentan, perangkat desa


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def nik(day: datetime.date, serial: int) -> str:
    return f"352312{day.day:02d}{day:%m%y}{serial:04d}"


def upload(world, operator, village=None):
    rows = [
        ["NELAYAN MUDA", nik(born(35), 1), 1, "TUBAN", born(35), FISHERMAN, "KRAJAN", "1", "2",
         "A"],
        ["NELAYAN TUA", nik(born(60), 2), 1, "TUBAN", born(60), FISHERMAN, "KRAJAN", "1", "2",
         "B"],
        ["KAMITUWO", nik(born(60), 3), 1, "TUBAN", born(60), VILLAGE_OFFICIAL, "KRAJAN", "1",
         "2", "C"],
    ]  # fmt: skip
    content = minimal(rows, COLUMNS)
    return services.resident_upload_create(
        file=io.BytesIO(content), name="penduduk.xlsx", size=len(content),
        village=village or world.socorejo, by=operator,
    )  # fmt: skip


def test_a_resident_past_the_bpu_age_limit_is_not_offered(world, operator):
    """A fisherman of 60 (BPU: 56 at most) is left out, counted with the ages; a village
    official of 60 (a wage earner, no maximum known) is offered."""
    listed = upload(world, operator)
    assert sorted(listed.candidates.offered().values_list("full_name", flat=True)) == [
        "KAMITUWO", "NELAYAN MUDA",
    ]  # fmt: skip
    assert listed.left_out == {"age": 1}


def test_a_limit_row_added_later_changes_who_is_offered(world, operator):
    AgeLimit.objects.create(
        scheme="bpu", effective_from=timezone.localdate(), min_age=15, max_age=65, source="uji"
    )
    listed = upload(world, operator)
    assert listed.candidates.offered().count() == 3


def test_ticked_residents_are_checked_by_the_rule_for_the_category_chosen(world, operator):
    """The official ticked as a BPU worker (category chosen for the whole batch) is an error of
    that row with the form's message; ticked with the suggested category, the row is fine."""
    listed = upload(world, operator)
    official = listed.candidates.get(full_name="KAMITUWO")
    batch_data = {"declared_income": 1_000_000, "funding_source": "mandiri", "jht": False}
    batch = services.candidates_check(
        upload=listed, candidates=[official], by=operator, category="rentan", batch=batch_data
    )
    (row,) = batch.rows.all()
    assert row.status == "error"
    assert "Age 60: too old to enrol in this scheme (the oldest allowed is 56)." in str(row.errors)
    batch = services.candidates_check(
        upload=listed, candidates=[official], by=operator, category="", batch=batch_data
    )
    assert batch.rows.get().status == "new"


def test_a_kelurahan_is_not_offered_dana_desa_and_its_rows_refuse_it(client, world):
    """In a kelurahan the batch's payers leave out Dana Desa and ADD; posted anyway, each ticked
    resident's row is refused by the registration form's rule."""
    kelurahan = VillageFactory(code="35.23.12.1001", district=world.jenu, name="Kelurahan Uji")
    operator = UserFactory(username="kelurahan", village=kelurahan)
    listed = upload(world, operator, village=kelurahan)
    client.force_login(operator)
    page = client.get(reverse("opensid_candidates", args=[listed.pk])).text
    assert 'value="dana_desa"' not in page and 'value="add"' not in page
    young = listed.candidates.get(full_name="NELAYAN MUDA")
    with translation.override("en"):  # the page's request spoke Indonesian
        batch = services.candidates_check(
            upload=listed,
            candidates=[young],
            by=operator,
            category="",
            batch={"declared_income": 1_000_000, "funding_source": "dana_desa", "jht": False},
        )
    (row,) = batch.rows.all()
    assert row.status == "error"
    assert "is a kelurahan: it receives no Dana Desa or ADD" in str(row.errors)
