"""Following up members whose funded period ends soon: the WhatsApp link (normalised number,
encoded Indonesian message), recording follow-ups, the "already reached" mark, the printable
door-to-door list, and every follow-up URL × role."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from enrollment import follow_up_urls, services
from enrollment.follow_up_views import follow_up_message, follow_up_whatsapp_url, indonesian_date
from enrollment.models import FollowUp, Registration

from .registering import register

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}


def statuses(*codes):
    return dict(zip(ROLES, codes, strict=True))


MATRIX = {
    "follow_up_create": ("get", statuses(302, 302, 200, 200, 404, 200, 404)),
    "follow_up_quick": ("post", statuses(302, 302, 302, 302, 404, 302, 404)),
    "lapsing_print": ("get", statuses(302, 302, 200, 200, 200, 200, 200)),
}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so assertions read the msgids whatever the Indonesian catalogue says."""
    client.cookies["django_language"] = "en"


def lapsing(village, operator, branch_staff, *, kpj, ends_in=10, source="dana_desa", **fields):
    """A verified member whose funded period ends in `ends_in` days."""
    registration = register(village, operator, **fields)
    services.registration_verify(registration=registration, kpj=kpj, by=branch_staff)
    today = timezone.localdate()
    services.funded_period_add(
        registration=registration,
        by=branch_staff,
        funding_source=source,
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=ends_in),
    )
    return Registration.objects.select_related("participant", "village").get(pk=registration.pk)


@pytest.fixture
def member(world, operator, branch_staff):
    return lapsing(
        world.socorejo,
        operator,
        branch_staff,
        kpj="19012345678",
        full_name="Sri Rahayu",
        phone="6281330001234",
        address="Dusun Krajan",
        rt="003",
        rw="001",
    )


def test_the_matrix_covers_every_follow_up_url():
    names = {p.name for p in follow_up_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer(client, request, member, name, role):
    """Out of scope answers 404 (as if missing); anonymous and deactivated users log in first;
    the door-to-door list of another area holds none of Socorejo's members."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    method, expected = MATRIX[name]
    url = reverse(name) if name == "lapsing_print" else reverse(name, args=[member.pk])
    response = getattr(client, method)(url, {"channel": "visit"} if method == "post" else {})
    assert response.status_code == expected[role]
    if role in {"other_branch", "other_operator"}:
        assert "Sri Rahayu" not in response.text
    expected_follow_ups = 1 if name == "follow_up_quick" and expected[role] == 302 else 0
    if role in {"anonymous", "inactive"}:
        expected_follow_ups = 0
    assert FollowUp.objects.count() == expected_follow_ups


def test_the_quick_record_refuses_get(client, admin_user, member):
    client.force_login(admin_user)
    assert client.get(reverse("follow_up_quick", args=[member.pk])).status_code == 405


def test_the_whatsapp_link_uses_the_normalised_number_and_encodes_the_message(member):
    url = follow_up_whatsapp_url(member, member.paid_until)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281330001234")
    # Everything but unreserved characters is percent-encoded: spaces, "/", ":", "," and "."
    # survive the trip; no "+" or "&" can split or shorten the message.
    assert " " not in url and "+" not in parts.query and "&" not in parts.query
    assert "%2F" in parts.query and "%20" in parts.query
    assert parse_qs(parts.query) == {"text": [follow_up_message(member, member.paid_until)]}


def test_the_message_names_the_programme_the_date_and_how_to_keep_paying(member):
    message = follow_up_message(member, member.paid_until)
    assert "Sri Rahayu" in message
    assert "BPJS Ketenagakerjaan" in message
    assert "JKK dan JKM" in message
    assert indonesian_date(member.paid_until) in message
    assert "Rp16.800 per bulan" in message
    assert "secara mandiri" in message
    assert "19012345678" not in message  # operators send it, and never see KPJ numbers


def test_indonesian_dates():
    assert indonesian_date(datetime.date(2026, 6, 30)) == "30 Juni 2026"
    assert indonesian_date(datetime.date(2019, 8, 1)) == "1 Agustus 2019"


def test_the_message_lists_jht_when_the_member_saves_for_old_age(world, operator, branch_staff):
    saver = lapsing(world.socorejo, operator, branch_staff, kpj="19000000002", jht=True)
    assert "JKK, JKM dan JHT" in follow_up_message(saver, saver.paid_until)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0813-3000-1234", "https://wa.me/6281330001234?text="),  # stored before normalising
        ("+62 813 3000 1234", "https://wa.me/6281330001234?text="),
        ("6235112345678", None),  # a landline in Tuban
        ("", None),
        ("not a number", None),
    ],
)
def test_whatsapp_needs_a_mobile_number(member, phone, expected):
    member.participant.phone = phone
    url = follow_up_whatsapp_url(member, member.paid_until)
    if expected is None:
        assert url is None
    else:
        assert url.startswith(expected)


def test_the_lapsing_list_links_to_whatsapp_and_marks_who_was_reached(
    client, world, operator, branch_staff, member
):
    other = lapsing(world.socorejo, operator, branch_staff, kpj="19000000003", full_name="Sutrisno")
    client.force_login(operator)
    response = client.get(reverse("lapsing_list"))
    assert follow_up_whatsapp_url(member, member.paid_until).replace("&", "&amp;") in response.text
    assert 'data-testid="reached"' not in response.text
    assert reverse("lapsing_print") in response.text

    response = client.post(reverse("follow_up_quick", args=[member.pk]), {"channel": "whatsapp"})
    assert response["Location"] == reverse("lapsing_list")
    follow_up = FollowUp.objects.get()
    assert (follow_up.registration, follow_up.by, follow_up.channel, follow_up.paid_until) == (
        Registration.objects.get(pk=member.pk),
        operator,
        "whatsapp",
        member.paid_until,
    )
    response = client.get(reverse("lapsing_list"))
    cell = response.text.split(f'data-testid="follow-up-{member.pk}"')[1].split("</div>")[0]
    assert 'data-testid="reached"' in cell
    assert "WhatsApp" in cell
    other_cell = response.text.split(f'data-testid="follow-up-{other.pk}"')[1].split("</div>")[0]
    assert 'data-testid="reached"' not in other_cell


def test_the_lapsing_list_is_a_table_of_cards_whose_queries_do_not_grow(
    client, world, operator, branch_staff, member, django_assert_max_num_queries
):
    """django-tables2 renders it (each cell labelled with its column, a card on a phone), each
    row with its follow-up form; more members, same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(operator)
    client.get(reverse("lapsing_list"))  # the session stamped
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("lapsing_list"))
    assert 'class="table-wrap table-cards"' in response.text
    assert 'data-label="Days left">10</td>' in response.text
    assert 'data-label="Village"' not in response.text  # an operator's one village
    assert response.text.count(reverse("follow_up_quick", args=[member.pk])) == 1
    for number in range(3, 6):
        lapsing(world.socorejo, operator, branch_staff, kpj=f"1900000000{number}")
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("lapsing_list"))
    assert response.text.count('data-label="Follow-up"') == 4


def test_a_follow_up_about_an_earlier_period_does_not_count(
    client, world, operator, branch_staff, member
):
    FollowUp.objects.create(
        registration=member,
        by=operator,
        channel="visit",
        paid_until=member.paid_until - datetime.timedelta(days=180),
    )
    client.force_login(operator)
    response = client.get(reverse("lapsing_list"))
    assert 'data-testid="reached"' not in response.text


def test_recording_a_follow_up_with_a_note(client, world, branch_staff, member):
    client.force_login(branch_staff)
    url = reverse("follow_up_create", args=[member.pk])
    response = client.get(url)
    assert 'data-testid="whatsapp"' in response.text
    response = client.post(url, {"channel": "visit", "note": "Akan bayar lewat agen minggu depan"})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.by, follow_up.channel, follow_up.note) == (
        branch_staff,
        "visit",
        "Akan bayar lewat agen minggu depan",
    )
    assert "Akan bayar lewat agen minggu depan" in client.get(url).text


def test_an_unknown_channel_records_nothing(client, world, operator, member):
    client.force_login(operator)
    client.post(reverse("follow_up_quick", args=[member.pk]), {"channel": "pigeon"})
    response = client.post(reverse("follow_up_create", args=[member.pk]), {"channel": "pigeon"})
    assert response.status_code == 200
    assert not FollowUp.objects.exists()


def test_submitted_registrations_have_no_follow_up_page(client, world, operator):
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    assert client.get(reverse("follow_up_create", args=[registration.pk])).status_code == 404


def test_the_door_to_door_list_is_ordered_for_walking(
    client, world, operator, other_operator, branch_staff, member
):
    """By RW, RT and address; members of other villages and periods ending later are left out."""
    lapsing(
        world.socorejo, operator, branch_staff, kpj="19000000004", full_name="Budi RW Nol",
        rt="009", rw="000",
    )  # fmt: skip
    lapsing(
        world.socorejo, operator, branch_staff, kpj="19000000005", full_name="Nanti", ends_in=60
    )
    lapsing(
        world.karanglewas, other_operator, branch_staff, kpj="19000000006", full_name="Banyumas"
    )
    client.force_login(operator)
    response = client.get(reverse("lapsing_print"))
    text = response.text
    assert text.index("Budi RW Nol") < text.index("Sri Rahayu")
    assert "Dusun Krajan" in text
    assert "Nanti" not in text
    assert "Banyumas" not in text
    assert member.participant.nik not in text
