import pytest
from django.urls import reverse

from ..factories import UserFactory


@pytest.mark.parametrize(
    ("role_fixture", "landing"),
    [("admin_user", "/admin/"), ("branch_staff", "/cabang/"), ("operator", "/desa/")],
)
def test_each_role_lands_on_its_home_page_after_login(client, request, role_fixture, landing):
    """Logging in with the login form leads each role to its own home page."""
    user = request.getfixturevalue(role_fixture)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "demo12345"}, follow=True
    )
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_wrong_password_gives_an_indonesian_message(client, operator):
    """A failed login says so in Indonesian and stays on the login page."""
    response = client.post(reverse("login"), {"username": "socorejo", "password": "salah"})
    assert response.status_code == 200
    assert "dan kata sandi yang benar" in response.text  # said once (issue #20)


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    """Every page but the login page needs an account."""
    response = client.get(reverse("branch_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_portal_speaks_indonesian_first(client, world):
    """Indonesian by default, even when the browser asks for English."""
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"
    assert "Masuk" in response.text


def test_english_is_the_second_language(client, world):
    """Choosing English with the language switch turns the pages to English."""
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert response["Content-Language"] == "en"
    assert "Log in" in response.text


def test_branch_home_shows_the_coverage_area(client, branch_staff):
    """Branch staff see the regencies their office covers, with the number of villages."""
    client.force_login(branch_staff)
    response = client.get(reverse("branch_home"))
    assert "Kabupaten Tuban" in response.text
    assert "Kabupaten Banyumas" not in response.text
    assert response.context["regencies"][0].village_count == 2


def test_village_home_shows_the_operator_village(client, operator):
    """A village operator's home is their own village."""
    client.force_login(operator)
    response = client.get(reverse("village_home"))
    assert "Socorejo" in response.text
    assert "35.23.12.2002" in response.text


@pytest.mark.parametrize(
    ("role_fixture", "url_name", "status"),
    [
        ("operator", "branch_home", 403),
        ("admin_user", "branch_home", 403),
        ("branch_staff", "village_home", 403),
        ("admin_user", "village_home", 403),
    ],
)
def test_role_pages_refuse_other_roles(client, request, role_fixture, url_name, status):
    """A role's home page is not for the other roles."""
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse(url_name)).status_code == status


def test_user_without_a_role_is_told_what_to_do(client, world):
    """An account with no usable role lands on a page explaining it."""
    from portal.models import User

    user = UserFactory(username="baru", role=User.Role.ADMIN)
    user.role = "nobody"
    user.save()
    client.force_login(user)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 403
    assert response.redirect_chain[-1][0] == reverse("no_role")


@pytest.mark.parametrize("path", ["/", "/cabang/", "/perjanjian/"])
def test_navigation_fits_a_phone(client, branch_staff, path):
    """The page declares a mobile viewport and uses the shared navigation."""
    client.force_login(branch_staff)
    response = client.get(path, follow=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in response.text
    assert 'class="nav-links"' in response.text
