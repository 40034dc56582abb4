"""Accounts run by the branches: every account URL × every role, creating accounts one by one and
for a whole district or campaign, invitation links (single use, expiry, renewal), deactivation,
and everyone's account page."""

import datetime
import re

import pytest
from axes.models import AccessLog
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import URLPattern, reverse
from django.utils import timezone

from campaigns import account_urls
from portal import accounts
from portal.models import Invitation, Notification, User

from ..campaigns.factories import CampaignFactory
from ..factories import UserFactory, VillageFactory

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}
TOKEN = re.compile(r"/undangan/([A-Za-z0-9_-]+)/")


def statuses(*codes):
    return dict(zip(ROLES, codes, strict=True))


# url name: (method, {role: status}). The objects: an invited operator account for Socorejo
# (KC Bojonegoro's area) and a notification of the Socorejo operator.
MATRIX = {
    "account_settings": ("get", statuses(302, 302, 200, 200, 200, 200, 200)),
    "account_list": ("get", statuses(302, 302, 200, 200, 200, 403, 403)),
    "account_create": ("get", statuses(302, 302, 200, 200, 200, 403, 403)),
    "staff_account_create": ("get", statuses(302, 302, 200, 403, 403, 403, 403)),
    "account_bulk_create": ("get", statuses(302, 302, 200, 200, 200, 403, 403)),
    "account_deactivate": ("get", statuses(302, 302, 200, 200, 404, 403, 403)),
    "invitation_renew": ("post", statuses(302, 302, 200, 200, 404, 403, 403)),
    # Another branch's selection is empty: back to the list, nothing issued.
    "invitation_slips": ("post", statuses(302, 302, 200, 200, 302, 403, 403)),
    "invitation_accept": ("get", statuses(200, 200, 200, 200, 200, 200, 200)),
    "notification_list": ("get", statuses(302, 302, 200, 200, 200, 200, 200)),
    "notification_read": ("post", statuses(302, 302, 404, 404, 404, 302, 404)),
    "notification_read_all": ("post", statuses(302, 302, 302, 302, 302, 302, 302)),
}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so assertions read the msgids whatever the Indonesian catalogue says."""
    client.cookies["django_language"] = "en"


def test_the_matrix_covers_every_account_url():
    """A new view cannot escape the matrix: every URL name of account_urls is listed."""
    names = {p.name for p in account_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


@pytest.fixture
def invited(world, branch_staff):
    """An operator account for Socorejo that branch staff created; its invitation's token."""
    user, invitation = accounts.operator_account_create(village=world.socorejo, by=branch_staff)
    return user, invitation.token


@pytest.fixture
def objects(invited, operator):
    notification = Notification.objects.create(
        user=operator, kind="verified", key="decided:1", text="Terverifikasi", url="/desa/"
    )
    return {"account": invited[0], "token": invited[1], "notification": notification}


def url_for(name, objects):
    if name in {"account_deactivate", "invitation_renew"}:
        return reverse(name, args=[objects["account"].pk])
    if name == "invitation_accept":
        return reverse(name, args=[objects["token"]])
    if name == "notification_read":
        return reverse(name, args=[objects["notification"].pk])
    return reverse(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer(client, request, objects, name, role):
    """Out of scope answers 404 (as if missing); the wrong role 403; anonymous and deactivated
    users are sent to log in; the invitation link is public."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    method, expected = MATRIX[name]
    data = {"accounts": [objects["account"].pk]} if name == "invitation_slips" else {}
    response = getattr(client, method)(url_for(name, objects), data)
    assert response.status_code == expected[role]
    if role in {"other_branch", "other_operator"} and name != "invitation_accept":
        assert objects["account"].username not in response.text


@pytest.mark.parametrize("name", [name for name, (method, _) in MATRIX.items() if method == "post"])
def test_actions_refuse_get(client, admin_user, objects, name):
    """State-changing actions answer only POST."""
    client.force_login(admin_user)
    assert client.get(url_for(name, objects)).status_code == 405


def test_branch_staff_see_only_the_operators_of_their_area(client, world, branch_staff):
    """KC Bojonegoro covers Tuban (also through KCP Tuban): Socorejo and Karanglo, not
    Karanglewas (Banyumas) or Tanggulrejo (Gresik); no branch staff accounts."""
    for village in [world.socorejo, world.karanglo, world.karanglewas, world.tanggulrejo]:
        UserFactory(username=f"op-{village.name.lower()}", village=village)
    UserFactory(username="staf-gresik", role="branch_staff", branch_office=world.kc_gresik)
    client.force_login(branch_staff)
    response = client.get(reverse("account_list"))
    assert "op-socorejo" in response.text
    assert "op-karanglo" in response.text
    assert "op-karanglewas" not in response.text
    assert "op-tanggulrejo" not in response.text
    assert "staf-gresik" not in response.text
    assert set(accounts.manageable_accounts(branch_staff).values_list("username", flat=True)) == {
        "op-socorejo",
        "op-karanglo",
    }


def test_admins_manage_branch_staff_and_operators_but_not_admins(world, admin_user, branch_staff):
    UserFactory(username="op-socorejo", village=world.socorejo)
    UserFactory(username="admin2", admin=True)
    assert set(accounts.manageable_accounts(admin_user).values_list("username", flat=True)) == {
        "cabang",
        "op-socorejo",
    }


def test_inactive_branch_staff_manage_nothing(world, branch_staff):
    branch_staff.is_active = False
    assert not accounts.manageable_accounts(branch_staff).exists()


def test_branch_staff_create_an_operator_account_with_a_slip(
    client, world, branch_staff, django_capture_on_commit_callbacks
):
    """A new account has no password yet, must not skip the invitation, and its slip shows the
    username, the link as text and as an inline SVG QR code; nothing is cached."""
    client.force_login(branch_staff)
    url = reverse("account_create") + "?district=35.23.12"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "village": "35.23.12.2002",
                "first_name": "Pak Kasun",
                "email": "kasun@example.org",
                "phone": "0813 3000 1234",
            },
        )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    user = User.objects.get(village=world.socorejo)
    assert user.username == "socorejo.3523122002"
    assert user.role == "village_operator"
    assert user.phone == "6281330001234"
    assert not user.has_usable_password()
    assert user.must_change_password
    token = TOKEN.search(response.text).group(1)
    assert f"http://testserver/undangan/{token}/" in response.text
    assert "<svg" in response.text and "<path" in response.text
    assert user.username in response.text
    invitation = Invitation.objects.get(user=user)
    assert invitation.token_hash == accounts.token_hash(token)
    assert token not in invitation.token_hash
    assert invitation.created_by == branch_staff
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kasun@example.org"]
    assert f"http://testserver/undangan/{token}/" in mail.outbox[0].body


def test_account_create_asks_for_the_district_first(client, world, branch_staff):
    client.force_login(branch_staff)
    response = client.get(reverse("account_create"))
    assert 'name="district"' in response.text
    assert 'name="village"' not in response.text
    response = client.get(reverse("account_create") + "?district=35.23.12")
    assert "Socorejo" in response.text
    assert 'name="village"' in response.text


def test_branch_staff_cannot_create_an_account_outside_their_area(client, world, branch_staff):
    """Banyumas' district is not a choice, nor is a village of another district slipped in."""
    client.force_login(branch_staff)
    client.post(reverse("account_create") + "?district=33.02.03", {"village": "33.02.03.2003"})
    client.post(reverse("account_create") + "?district=35.23.12", {"village": "33.02.03.2003"})
    assert not User.objects.filter(village=world.karanglewas).exists()
    assert not Invitation.objects.exists()


def test_a_village_can_have_a_second_operator_account(world, branch_staff, operator):
    user, _invitation = accounts.operator_account_create(village=world.socorejo, by=branch_staff)
    again, _invitation = accounts.operator_account_create(village=world.socorejo, by=branch_staff)
    assert (user.username, again.username) == ("socorejo.3523122002", "socorejo.3523122002-2")


def test_admins_create_branch_staff_accounts(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("staff_account_create"),
        {"branch_office": world.kc_gresik.pk, "username": "dewi.gresik", "first_name": "Dewi"},
    )
    assert response.status_code == 200
    user = User.objects.get(username="dewi.gresik")
    assert (user.role, user.branch_office, user.has_usable_password()) == (
        "branch_staff",
        world.kc_gresik,
        False,
    )
    assert "KC Gresik" in response.text
    assert TOKEN.search(response.text)


def test_staff_usernames_are_unique_case_insensitively(client, world, admin_user, branch_staff):
    client.force_login(admin_user)
    response = client.post(
        reverse("staff_account_create"),
        {"branch_office": world.kc_gresik.pk, "username": "CABANG"},
    )
    assert response.status_code == 200
    assert "This username is taken." in response.text
    assert User.objects.filter(role="branch_staff").count() == 1


@pytest.fixture
def kerek_villages(world):
    """Kerek (Tuban) with Karanglo and three more villages."""
    return [world.karanglo] + [
        VillageFactory(code=f"35.23.08.20{n:02d}", district=world.kerek, name=f"Kerek Uji {n}")
        for n in (1, 2, 3)
    ]


def test_bulk_create_for_a_district_checks_first_then_creates(
    client, world, branch_staff, kerek_villages
):
    """The first submit counts; the second creates accounts for the villages without an active
    operator (Karanglo has one) and shows their slips; submitting again creates nothing."""
    UserFactory(username="op-karanglo", village=world.karanglo)
    client.force_login(branch_staff)
    url = reverse("account_bulk_create")
    response = client.post(url, {"district": "35.23.08", "check": ""})
    assert "3 of 4 villages have no active operator" in response.text
    assert not Invitation.objects.exists()

    response = client.post(url, {"district": "35.23.08", "create": ""})
    assert response.status_code == 200
    created = User.objects.filter(village__district=world.kerek).exclude(username="op-karanglo")
    assert sorted(created.values_list("village__name", flat=True)) == [
        "Kerek Uji 1",
        "Kerek Uji 2",
        "Kerek Uji 3",
    ]
    assert response.text.count('data-testid="slip"') == 3
    assert len(set(TOKEN.findall(response.text))) == 3
    assert "Karanglo" in response.text  # listed as skipped

    client.post(url, {"district": "35.23.08", "create": ""})
    assert User.objects.filter(village__district=world.kerek).count() == 4


def test_bulk_create_for_a_campaign_stays_in_the_area(client, world, branch_staff):
    """A campaign with villages in Tuban and Banyumas: KC Bojonegoro's staff create accounts for
    Tuban's villages only."""
    campaign = CampaignFactory(
        branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglo, world.karanglewas],
    )
    client.force_login(branch_staff)
    client.post(reverse("account_bulk_create"), {"campaign": campaign.pk, "create": ""})
    assert sorted(User.objects.values_list("village__name", flat=True).exclude(village=None)) == [
        "Karanglo",
        "Socorejo",
    ]


def test_bulk_create_needs_exactly_one_choice(client, world, branch_staff):
    client.force_login(branch_staff)
    response = client.post(reverse("account_bulk_create"), {"create": ""})
    assert "Choose either a campaign or a district." in response.text


def test_other_branches_cannot_bulk_create_in_tuban(client, world, other_branch_staff):
    client.force_login(other_branch_staff)
    client.post(reverse("account_bulk_create"), {"district": "35.23.08", "create": ""})
    assert not User.objects.filter(village__district__regency=world.tuban).exists()


def test_the_invitation_link_works_once(client, world, invited):
    """Setting the password logs the operator in on the village page; the link then answers
    404, also for another attempt to set a password."""
    user, token = invited
    url = reverse("invitation_accept", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert user.username in response.text
    assert "no-cache" in response["Cache-Control"]
    response = client.post(
        url, {"new_password1": "Ombak-Jenu-2026", "new_password2": "Ombak-Jenu-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("village_home")
    assert client.get(reverse("village_home")).status_code == 200
    user.refresh_from_db()
    assert user.check_password("Ombak-Jenu-2026")
    assert not user.must_change_password
    assert Invitation.objects.get(user=user).used_at is not None

    client.logout()
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"new_password1": "Lain-Lagi-2026", "new_password2": "Lain-Lagi-2026"}
    )
    assert response.status_code == 404
    user.refresh_from_db()
    assert user.check_password("Ombak-Jenu-2026")


def test_the_invitation_link_expires(client, world, branch_staff, settings):
    """Valid for INVITATION_DAYS days: the day after, the link answers 404."""
    settings.INVITATION_DAYS = 2
    user, invitation = accounts.operator_account_create(village=world.socorejo, by=branch_staff)
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=2)
    url = reverse("invitation_accept", args=[invitation.token])
    assert client.get(url).status_code == 200
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"new_password1": "Ombak-Jenu-2026", "new_password2": "Ombak-Jenu-2026"}
    )
    assert response.status_code == 404
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_an_unknown_link_answers_404(client, world):
    assert client.get(reverse("invitation_accept", args=["tidak-ada"])).status_code == 404


def test_a_weak_password_is_refused_and_the_link_stays_usable(client, world, invited):
    user, token = invited
    url = reverse("invitation_accept", args=[token])
    response = client.post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "error" in response.text
    assert Invitation.objects.get(user=user).used_at is None
    assert SESSION_KEY not in client.session


def test_a_new_invitation_ends_the_earlier_link(client, world, branch_staff, invited):
    user, old_token = invited
    client.force_login(branch_staff)
    response = client.post(reverse("invitation_renew", args=[user.pk]))
    new_token = TOKEN.search(response.text).group(1)
    assert new_token != old_token
    client.logout()
    assert client.get(reverse("invitation_accept", args=[old_token])).status_code == 404
    assert client.get(reverse("invitation_accept", args=[new_token])).status_code == 200


def test_printing_slips_for_selected_accounts_issues_new_links(client, world, branch_staff):
    first, _ = accounts.operator_account_create(village=world.socorejo, by=branch_staff)
    second, _ = accounts.operator_account_create(village=world.karanglo, by=branch_staff)
    client.force_login(branch_staff)
    response = client.post(reverse("invitation_slips"), {"accounts": [first.pk, second.pk]})
    assert response.status_code == 200
    assert response.text.count('data-testid="slip"') == 2
    for token in TOKEN.findall(response.text):
        assert accounts.invitation_for_token(token).user in {first, second}
    assert Invitation.objects.usable().count() == 2


def test_slips_are_not_printed_for_other_areas(client, world, other_branch_staff, invited):
    client.force_login(other_branch_staff)
    response = client.post(reverse("invitation_slips"), {"accounts": [invited[0].pk]})
    assert response.status_code == 302
    assert Invitation.objects.count() == 1


def test_branch_staff_deactivate_an_operator(client, world, branch_staff, invited):
    """Deactivated: it cannot log in, and its unused invitation stops working."""
    user, token = invited
    client.force_login(branch_staff)
    response = client.get(reverse("account_deactivate", args=[user.pk]))
    assert user.username in response.text
    response = client.post(reverse("account_deactivate", args=[user.pk]))
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    client.logout()
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 404


def test_other_branches_cannot_deactivate(client, world, other_branch_staff, operator):
    client.force_login(other_branch_staff)
    response = client.post(reverse("account_deactivate", args=[operator.pk]))
    assert response.status_code == 404
    operator.refresh_from_db()
    assert operator.is_active


def test_operators_cannot_deactivate_each_other(client, world, operator):
    other = UserFactory(username="socorejo-2", village=world.socorejo)
    client.force_login(operator)
    assert client.post(reverse("account_deactivate", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_a_deactivated_operator_cannot_log_in_and_their_session_ends(
    client, world, branch_staff, operator
):
    """The operator's open session is refused on the next request (Django's ModelBackend
    refuses inactive users), and the login form refuses the password."""
    operator_client = client.__class__()
    credentials = {"username": "socorejo", "password": "demo12345"}
    assert operator_client.post(reverse("login"), credentials).status_code == 302
    assert operator_client.get(reverse("village_home")).status_code == 200

    client.force_login(branch_staff)
    client.post(reverse("account_deactivate", args=[operator.pk]))

    response = operator_client.get(reverse("village_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = operator_client.post(reverse("login"), credentials)
    assert response.status_code == 200
    assert operator_client.get(reverse("village_home")).status_code == 302


def test_a_deactivated_account_gets_no_new_invitation(client, world, branch_staff, invited):
    user, _token = invited
    accounts.account_deactivate(user=user, by=branch_staff)
    client.force_login(branch_staff)
    response = client.post(reverse("invitation_renew", args=[user.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.usable().exists()


def test_the_account_list_shows_the_invitation_status(client, world, branch_staff, invited):
    user, token = invited
    UserFactory(username="socorejo-lama", village=world.socorejo, is_active=False)
    client.force_login(branch_staff)
    response = client.get(reverse("account_list"))
    row = re.search(r'data-testid="account-socorejo.3523122002">(.*?)</tr>', response.text, re.S)
    assert 'data-status="invited"' in row.group(1)
    row = re.search(r'data-testid="account-socorejo-lama">(.*?)</tr>', response.text, re.S)
    assert 'data-status="deactivated"' in row.group(1)
    accounts.invitation_accept(token=token, password="Ombak-Jenu-2026")
    response = client.get(reverse("account_list"))
    row = re.search(r'data-testid="account-socorejo.3523122002">(.*?)</tr>', response.text, re.S)
    assert 'data-status="active"' in row.group(1)


def test_the_account_list_searches_and_keeps_each_rows_forms(client, world, branch_staff):
    """?q= finds accounts by village (or username, name, district, office); each active row
    carries its tick for the slips form outside the table and its own invitation form."""
    UserFactory(username="op-socorejo", village=world.socorejo)
    UserFactory(username="op-karanglo", village=world.karanglo)
    client.force_login(branch_staff)
    response = client.get(reverse("account_list"), {"q": " socorejo "})
    assert "op-socorejo" in response.text
    assert "op-karanglo" not in response.text
    assert response.context["query"] == "socorejo"
    row = re.search(r'data-testid="account-op-socorejo">(.*?)</tr>', response.text, re.S)
    assert 'form="slips-form"' in row.group(1)
    assert 'name="csrfmiddlewaretoken"' in row.group(1)
    assert 'id="slips-form"' in response.text


def test_the_account_page_saves_contact_and_language(client, world, operator):
    """The phone is normalised, the language stored and set as the portal's language cookie."""
    client.cookies["django_language"] = "id"
    client.force_login(operator)
    response = client.post(
        reverse("account_settings"),
        {"email": "socorejo@example.org", "phone": "0813-3000-1234", "language": "en"},
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert (operator.email, operator.phone, operator.language) == (
        "socorejo@example.org",
        "6281330001234",
        "en",
    )
    assert response.cookies["django_language"].value == "en"
    response = client.get(reverse("account_settings"))
    assert response["Content-Language"] == "en"


def test_the_account_page_refuses_a_bad_phone(client, world, operator):
    client.force_login(operator)
    response = client.post(reverse("account_settings"), {"phone": "abc", "language": "id"})
    assert response.status_code == 200
    operator.refresh_from_db()
    assert operator.phone == ""


def test_the_account_page_shows_the_last_successful_logins(client, world, operator):
    """From django-axes' access log, the user's own logins only."""
    client.post(reverse("login"), {"username": "socorejo", "password": "demo12345"})
    AccessLog.objects.create(
        username="karanglewas", ip_address="10.9.8.7", user_agent="x", http_accept="", path_info=""
    )
    response = client.get(reverse("account_settings"))
    assert response.status_code == 200
    assert 'data-testid="logins"' in response.text
    assert "127.0.0.1" in response.text
    assert "10.9.8.7" not in response.text
