"""The villages' population counts in the portal: the list, one village's form and the file
import, for each role; each refusal with its message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.enrollment.test_importing import csv_bytes, xlsx_bytes
from villages import services
from villages.models import Village

HEADINGS = ["Kode Desa", "Nama Desa", "Jumlah Penduduk", "Penduduk Usia Kerja", "Perangkat Desa"]
SOCOREJO, KARANGLO, KARANGLEWAS = "35.23.12.2002", "35.23.08.2016", "33.02.03.2003"


@pytest.fixture
def english(client):
    """Messages are asserted on their English message ids."""
    client.cookies["django_language"] = "en"
    return client


def user_for(request, role):
    return None if role is None else request.getfixturevalue(role)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def counts(code):
    village = Village.objects.get(pk=code)
    return village.population, village.working_age_population, village.official_count


def upload(client, rows, *, name="data.csv", headings=HEADINGS, content=None):
    if content is None:
        table = [headings] + rows
        content = xlsx_bytes(table) if name.endswith(".xlsx") else csv_bytes(table)
    file = SimpleUploadedFile(name, content)
    return client.post(reverse("village_data_import"), {"file": file})


def confirm(client):
    return client.post(reverse("village_data_import"), {"confirm": "1"})


def errors_of(response):
    return [message for _number, message in response.context["errors"]]


# Access --------------------------------------------------------------------------------------

LIST_AND_IMPORT = [
    ("village_data_list", None, 302),
    ("village_data_list", "inactive_user", 302),
    ("village_data_list", "admin_user", 200),
    ("village_data_list", "branch_staff", 200),
    ("village_data_list", "operator", 200),
    ("village_data_import", None, 302),
    ("village_data_import", "inactive_user", 302),
    ("village_data_import", "admin_user", 200),
    ("village_data_import", "branch_staff", 200),
    ("village_data_import", "operator", 403),
]


@pytest.mark.parametrize(("name", "role", "status"), LIST_AND_IMPORT)
def test_list_and_import_access(client, request, world, name, role, status):
    response = login(client, user_for(request, role)).get(reverse(name))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        (None, SOCOREJO, 302),
        ("inactive_user", SOCOREJO, 302),
        ("admin_user", SOCOREJO, 200),
        ("admin_user", KARANGLEWAS, 200),
        ("branch_staff", SOCOREJO, 200),
        ("branch_staff", KARANGLO, 200),
        ("branch_staff", KARANGLEWAS, 404),
        ("other_branch_staff", SOCOREJO, 404),
        ("other_branch_staff", KARANGLEWAS, 200),
        ("operator", SOCOREJO, 200),
        ("operator", KARANGLO, 404),
        ("other_operator", SOCOREJO, 404),
        ("branch_staff", "99.99.99.9999", 404),
    ],
)
def test_edit_access(client, request, world, role, code, status):
    url = reverse("village_data_edit", args=[code])
    response = login(client, user_for(request, role)).get(url)
    assert response.status_code == status


def test_edit_outside_area_post_changes_nothing(client, branch_staff):
    client.force_login(branch_staff)
    url = reverse("village_data_edit", args=[KARANGLEWAS])
    response = client.post(url, {"population": "10", "working_age_population": "5"})
    assert response.status_code == 404
    assert counts(KARANGLEWAS) == (None, None, None)


# The list ------------------------------------------------------------------------------------


def test_list_shows_only_the_area(client, branch_staff):
    Village.objects.filter(pk=SOCOREJO).update(population=4321, working_age_population=3000)
    response = client_get(client, branch_staff, reverse("village_data_list"))
    codes = [village.code for village in response.context["page"].object_list]
    assert codes == [KARANGLO, SOCOREJO]
    assert "4,321" in response.text or "4.321" in response.text


def test_list_filters_by_district_and_missing(client, world, branch_staff):
    Village.objects.filter(pk=SOCOREJO).update(
        population=10, working_age_population=5, official_count=3
    )
    url = reverse("village_data_list")
    response = client_get(client, branch_staff, url, {"district": world.jenu.pk})
    assert [v.code for v in response.context["page"].object_list] == [SOCOREJO]
    response = client.get(url, {"missing": "on"})
    assert [v.code for v in response.context["page"].object_list] == [KARANGLO]
    # A district outside the area is not a choice.
    response = client.get(url, {"district": world.jatilawang.pk})
    assert "district" in response.context["form"].errors


def test_list_filter_strips_the_search_and_ignores_every_filter_when_one_is_refused(
    client, world, branch_staff
):
    """The search is trimmed; a district outside the area refuses the filter, and then the
    whole list shows (the search is not applied alone), as the filter form did."""
    url = reverse("village_data_list")
    response = client_get(client, branch_staff, url, {"q": " socorejo "})
    assert [v.code for v in response.context["page"].object_list] == [SOCOREJO]
    assert '<option value="" selected>- Pilih -</option>' in response.text
    response = client.get(url, {"q": "35.23.08", "missing": "on"})
    assert [v.code for v in response.context["page"].object_list] == [KARANGLO]
    response = client.get(url, {"q": "socorejo", "district": world.jatilawang.pk})
    assert [v.code for v in response.context["page"].object_list] == [KARANGLO, SOCOREJO]


def test_list_operator_sees_own_village(client, operator):
    response = client_get(client, operator, reverse("village_data_list"))
    assert [v.code for v in response.context["page"].object_list] == [SOCOREJO]
    assert reverse("village_data_import") not in response.text


def test_list_paginates_and_searches(client, world, admin_user):
    Village.objects.bulk_create(
        Village(code=f"35.23.12.{2100 + n}", district=world.jenu, name=f"Desa {n}")
        for n in range(60)
    )
    url = reverse("village_data_list")
    response = client_get(client, admin_user, url)
    page = response.context["page"]
    assert page.paginator.count == 64 and len(page.object_list) == 50
    response = client.get(url, {"q": "35.23.12"})
    assert response.context["page"].paginator.count == 61
    response = client.get(url, {"q": "socorejo"})
    assert [v.code for v in response.context["page"].object_list] == [SOCOREJO]


def client_get(client, user, url, data=None):
    client.force_login(user)
    response = client.get(url, data)
    assert response.status_code == 200
    return response


# Editing one village -------------------------------------------------------------------------


def test_edit_saves(client, branch_staff):
    client.force_login(branch_staff)
    url = reverse("village_data_edit", args=[SOCOREJO])
    data = {"population": "5200", "working_age_population": "3400", "official_count": "12"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert counts(SOCOREJO) == (5200, 3400, 12)


def test_operator_edits_own_village(client, operator):
    client.force_login(operator)
    url = reverse("village_data_edit", args=[SOCOREJO])
    response = client.post(url, {"population": "100", "working_age_population": "60"})
    assert response.status_code == 302
    assert counts(SOCOREJO) == (100, 60, None)


def test_edit_empty_fields_clear(client, admin_user):
    Village.objects.filter(pk=SOCOREJO).update(population=10, official_count=2)
    client.force_login(admin_user)
    client.post(reverse("village_data_edit", args=[SOCOREJO]), {"population": ""})
    assert counts(SOCOREJO) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"population": "100", "working_age_population": "101"},
            "working_age_population",
            "The working-age population cannot exceed the population.",
        ),
        ({"population": "-1"}, "population", "Ensure this value is greater than or equal to 0."),
        ({"population": "banyak"}, "population", "Enter a whole number."),
        (
            {"official_count": "40000"},
            "official_count",
            "Ensure this value is less than or equal to 32767.",
        ),
    ],
)
def test_edit_refuses(english, branch_staff, data, field, message):
    english.force_login(branch_staff)
    response = english.post(reverse("village_data_edit", args=[SOCOREJO]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.text
    assert counts(SOCOREJO) == (None, None, None)


def test_update_service_refuses(world, branch_staff, other_branch_staff):
    from django.core.exceptions import PermissionDenied, ValidationError

    kwargs = {"population": 10, "working_age_population": 11, "official_count": None}
    with pytest.raises(ValidationError):
        services.village_counts_update(village=world.socorejo, by=branch_staff, **kwargs)
    kwargs["working_age_population"] = 5
    with pytest.raises(PermissionDenied):
        services.village_counts_update(village=world.socorejo, by=other_branch_staff, **kwargs)
    assert counts(SOCOREJO) == (None, None, None)


# Importing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["data.csv", "data.xlsx"])
def test_import_previews_then_saves(client, branch_staff, name):
    client.force_login(branch_staff)
    rows = [
        ["3523122002", "Socorejo", 5200, 3400, 12],
        [KARANGLO, "Karanglo", "1.500", "900", ""],
    ]
    response = upload(client, rows, name=name)
    assert response.status_code == 200
    changes = response.context["changes"]
    assert [(c.number, c.village.code, c.after) for c in changes] == [
        (2, SOCOREJO, {"population": 5200, "working_age_population": 3400, "official_count": 12}),
        (
            3,
            KARANGLO,
            {"population": 1500, "working_age_population": 900, "official_count": None},
        ),
    ]
    assert counts(SOCOREJO) == (None, None, None)  # nothing saved before confirming
    response = confirm(client)
    assert response.status_code == 302
    assert counts(SOCOREJO) == (5200, 3400, 12)
    assert counts(KARANGLO) == (1500, 900, None)
    # The rows are used once.
    assert confirm(client).status_code == 302
    assert counts(SOCOREJO) == (5200, 3400, 12)


def test_import_blank_cells_keep_values(client, branch_staff):
    Village.objects.filter(pk=SOCOREJO).update(
        population=5000, working_age_population=3000, official_count=10
    )
    client.force_login(branch_staff)
    response = upload(client, [[SOCOREJO, "Socorejo", "", "3100", ""]])
    assert response.status_code == 200 and not response.context.get("errors")
    confirm(client)
    assert counts(SOCOREJO) == (5000, 3100, 10)


def test_import_semicolons_title_row_and_loose_headings(client, branch_staff):
    content = csv_bytes(
        [
            ["Data penduduk desa 2025", "", "", "", ""],  # Excel pads a title row
            ["No", "Kode Desa/Kelurahan", "Jumlah Penduduk (jiwa)", "Usia Produktif", "Perangkat"],
            ["1", SOCOREJO, "4.000", "2.500", "9"],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    client.force_login(branch_staff)
    response = upload(client, [], content=content)
    assert [c.number for c in response.context["changes"]] == [3]
    confirm(client)
    assert counts(SOCOREJO) == (4000, 2500, 9)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["35.23.12.9999", "", "10", "", ""], "There is no village with code 35.23.12.9999."),
        ([KARANGLEWAS, "", "10", "", ""], f"Village {KARANGLEWAS} is outside your area."),
        (["", "", "10", "", ""], "The village code is missing."),
        ([SOCOREJO, "", "banyak", "", ""], "Jumlah Penduduk: “banyak” is not a whole number."),
        ([SOCOREJO, "", "12,5", "", ""], "Jumlah Penduduk: “12,5” is not a whole number."),
        ([SOCOREJO, "", "-3", "", ""], "Jumlah Penduduk: A count cannot be negative."),
        ([SOCOREJO, "", "", "", "-1"], "Jumlah Perangkat Desa: A count cannot be negative."),
        ([SOCOREJO, "", "", "", "40000"], "Jumlah Perangkat Desa: the number is too large."),
        (
            [SOCOREJO, "", "100", "101", ""],
            "The working-age population cannot exceed the population.",
        ),
    ],
)
def test_import_row_errors_save_nothing(english, branch_staff, row, message):
    english.force_login(branch_staff)
    response = upload(english, [[KARANGLO, "Karanglo", "10", "5", "1"], row])
    assert response.status_code == 200
    assert response.context["errors"] == [(3, message)]
    assert message in response.text
    assert "nothing was saved" in response.text
    assert counts(KARANGLO) == (None, None, None)
    assert english.session.get("village_counts_import") is None


def test_import_working_age_checked_against_stored_population(english, branch_staff):
    Village.objects.filter(pk=SOCOREJO).update(population=100)
    english.force_login(branch_staff)
    response = upload(english, [[SOCOREJO, "", "", "150", ""]])
    assert errors_of(response) == ["The working-age population cannot exceed the population."]


def test_import_duplicate_village(english, branch_staff):
    english.force_login(branch_staff)
    response = upload(english, [[SOCOREJO, "", "10", "", ""], [SOCOREJO, "", "20", "", ""]])
    assert response.context["errors"] == [(3, f"Village {SOCOREJO} is already in row 2.")]


def test_import_rechecks_on_confirm(english, branch_staff):
    english.force_login(branch_staff)
    upload(english, [[SOCOREJO, "", "", "150", ""]])
    Village.objects.filter(pk=SOCOREJO).update(population=100)  # changed meanwhile
    response = confirm(english)
    assert response.status_code == 200
    assert errors_of(response) == ["The working-age population cannot exceed the population."]
    assert counts(SOCOREJO) == (100, None, None)


def test_admin_imports_anywhere(client, admin_user):
    client.force_login(admin_user)
    upload(client, [[KARANGLEWAS, "", "700", "400", "8"]], name="data.xlsx")
    confirm(client)
    assert counts(KARANGLEWAS) == (700, 400, 8)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.pdf", b"%PDF-1.4", "Upload the list as an Excel workbook (.xlsx) or a CSV file"),
        ("data.csv", b"", "The submitted file is empty."),
        (
            "data.csv",
            csv_bytes([["Nama", "Alamat"], ["Socorejo", "Jenu"]]),
            "The file needs a Kode Desa column",
        ),
        (
            "data.csv",
            csv_bytes([["Kode Desa", "Jumlah Penduduk"]]),
            "The file has column headings but no rows of villages.",
        ),
    ],
)
def test_import_refuses_file(english, branch_staff, name, content, message):
    english.force_login(branch_staff)
    response = upload(english, [], name=name, content=content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_import_operator_post_forbidden(client, operator):
    client.force_login(operator)
    assert upload(client, [[SOCOREJO, "", "10", "", ""]]).status_code == 403
    assert counts(SOCOREJO) == (None, None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (" ", None), (12, 12), (12.0, 12), ("1.234.567", 1234567),
     ("1,234", 1234), ("'42", 42), ("0", 0)],
)  # fmt: skip
def test_parse_count(value, expected):
    assert services.parse_count(value) == expected


def test_the_list_is_a_table_of_cards_whose_queries_do_not_grow(
    english, world, admin_user, django_assert_max_num_queries
):
    """A card per village (the edit link's header is for screen readers only, so its cell has
    no label); 60 villages more, the same queries, at most 10."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = english
    url = reverse("village_data_list")
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert 'class="table-wrap table-cards"' in response.text
    assert 'data-label="Population"' in response.text
    assert '<span class="visually-hidden">Actions</span>' in response.text
    assert 'data-label=""><a href="/desa-data/' in response.text
    assert len(few) <= 10
    Village.objects.bulk_create(
        Village(code=f"35.23.12.{2100 + n}", district=world.jenu, name=f"Desa {n}")
        for n in range(60)
    )
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.text.count('data-label="Population"') == 50
