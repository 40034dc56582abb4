"""Optional TOTP two-factor authentication (django-otp) for admins and branch staff."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "demo12345"


def code_for(device, drift=0):
    """The device's 6-digit code for the current time step (+ `drift` steps)."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def wrong_code(device):
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def unthrottle(device):
    """Let the throttle delay pass (as if the user waited)."""
    device.refresh_from_db()
    device.throttling_failure_timestamp -= datetime.timedelta(hours=1)
    device.save()


@pytest.fixture
def device(branch_staff):
    return TOTPDevice.objects.create(user=branch_staff, name="Authenticator", confirmed=True)


def log_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get(response["Location"])


def landing(client, username):
    """Where logging in with the password alone ends up."""
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    return response.request["PATH_INFO"]


def test_setup_shows_an_inline_qr_code_and_the_secret(client, branch_staff):
    client.force_login(branch_staff)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    html = response.text
    assert "<svg" in html and "<script" not in html.split("<main")[-1]
    device = TOTPDevice.objects.get(user=branch_staff)
    assert not device.confirmed
    secret = response.context["secret"].replace(" ", "")
    assert secret in device.config_url
    # Reloading keeps the secret the user may already have scanned.
    assert client.get(reverse("two_factor_setup")).context["secret"] == response.context["secret"]
    assert TOTPDevice.objects.filter(user=branch_staff).count() == 1


def test_an_unconfirmed_device_does_not_count(client, branch_staff):
    client.force_login(branch_staff)
    client.get(reverse("two_factor_setup"))
    client.logout()
    assert landing(client, "cabang") == reverse("branch_home")


def test_setup_with_a_wrong_code_keeps_it_off(client, branch_staff):
    client.force_login(branch_staff)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=branch_staff)
    response = client.post(reverse("two_factor_setup"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "Kodenya salah" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    response = client.post(reverse("two_factor_setup"), {"code": "abc"})
    assert response.context["form"].errors["code"]


def test_setup_with_a_valid_code_turns_it_on(client, admin_user):
    client.force_login(admin_user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=admin_user)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_settings")
    assert "Verifikasi dua langkah aktif." in response.text
    device.refresh_from_db()
    assert device.confirmed
    # This session is verified: the admin keeps working without a second code.
    assert client.get(reverse("admin:index")).status_code == 200
    # The setup page now only says it is on.
    assert client.get(reverse("two_factor_setup"))["Location"] == reverse("account_settings")


def test_login_asks_for_the_code_and_then_lets_in(client, branch_staff, device):
    assert landing(client, "cabang") == reverse("two_factor_verify")
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "cabang", "password": PASSWORD})
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    # Every other page waits for the code too.
    for path in [reverse("branch_home"), reverse("account_settings"), reverse("admin:index")]:
        assert client.get(path)["Location"].startswith(reverse("two_factor_verify")), path
    assert client.get(reverse("two_factor_verify")).status_code == 200
    response = client.post(
        reverse("two_factor_verify"),
        {"code": code_for(device), "next": reverse("account_settings")},
    )
    assert response["Location"] == reverse("account_settings")
    assert client.get(reverse("branch_home")).status_code == 200


def test_verification_rotates_the_session_key(client, branch_staff, device):
    log_in(client, "cabang")
    before = client.session.session_key
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert client.session.session_key != before


def test_the_next_address_must_stay_on_the_site(client, branch_staff, device):
    log_in(client, "cabang")
    response = client.post(
        reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("branch_home")


def test_logout_and_language_switch_stay_open_before_the_code(client, branch_staff, device):
    log_in(client, "cabang")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not response["Location"].startswith(reverse("two_factor_verify"))
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_a_wrong_code_gets_a_clear_message(client, branch_staff, device):
    log_in(client, "cabang")
    response = client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "Kodenya salah" in response.text
    assert client.get(reverse("branch_home")).status_code == 302


def test_repeated_wrong_codes_are_throttled(client, branch_staff, device):
    """After wrong codes the device refuses even the right code for a while (1, 2, 4… s)."""
    log_in(client, "cabang")
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
        unthrottle(device)
    client.post(reverse("two_factor_verify"), {"code": wrong_code(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert "Terlalu banyak kode salah. Tunggu 8 detik" in response.text
    assert client.get(reverse("branch_home")).status_code == 302
    unthrottle(device)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_used_code_is_not_accepted_twice(client, branch_staff, device):
    log_in(client, "cabang")
    code = code_for(device)
    client.post(reverse("two_factor_verify"), {"code": code})
    client.post(reverse("logout"))
    log_in(client, "cabang")
    response = client.post(reverse("two_factor_verify"), {"code": code})
    assert response.status_code == 200


def test_admin_pages_need_the_code(client, admin_user):
    TOTPDevice.objects.create(user=admin_user, name="Authenticator", confirmed=True)
    client.force_login(admin_user)
    response = client.get(reverse("admin:portal_user_changelist"))
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_disable_needs_a_valid_code(client, branch_staff, device):
    log_in(client, "cabang")
    client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    response = client.post(reverse("two_factor_disable"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "Kodenya salah" in response.text
    assert TOTPDevice.objects.filter(user=branch_staff).exists()
    unthrottle(device)
    response = client.post(reverse("two_factor_disable"), {"code": code_for(device, drift=1)})
    assert response["Location"] == reverse("account_settings")
    assert not TOTPDevice.objects.filter(user=branch_staff).exists()
    client.post(reverse("logout"))
    assert landing(client, "cabang") == reverse("branch_home")


def test_users_without_a_device_are_not_asked(client, branch_staff):
    assert landing(client, "cabang") == reverse("branch_home")
    response = client.get(reverse("two_factor_verify"))
    assert response["Location"] == reverse("branch_home")


@pytest.mark.parametrize("name", ["two_factor_setup", "two_factor_disable"])
def test_operators_may_not_use_it(client, operator, name):
    client.force_login(operator)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("name", ["two_factor_setup", "two_factor_disable", "two_factor_verify"])
def test_anonymous_users_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_of_users_without_a_device_cost_no_extra_query(client, branch_staff):
    """The login notes "no device" in the session; the middleware then asks the database
    nothing more."""
    client.force_login(branch_staff)
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("branch_home"))  # (the account page itself asks, to offer 2FA)
    assert not any("otp_totp" in query["sql"] for query in context.captured_queries)


def test_a_forced_password_change_does_not_loop_with_the_code_page(client, branch_staff, device):
    branch_staff.must_change_password = True
    branch_staff.save(update_fields=["must_change_password"])
    client.force_login(branch_staff)
    assert client.get(reverse("password_change")).status_code == 200


def test_the_account_page_offers_two_factor_to_staff_only(client, branch_staff, operator):
    """Branch staff see the switch on their account page; operators do not."""
    client.force_login(branch_staff)
    assert reverse("two_factor_setup") in client.get(reverse("account_settings")).text
    client.force_login(operator)
    assert reverse("two_factor_setup") not in client.get(reverse("account_settings")).text
