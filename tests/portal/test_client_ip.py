"""Login lockout and audit behind the load balancer (portal.client_ip): the client's address
comes from X-Forwarded-For only when the connection comes from a proxy in TRUSTED_PROXIES, so
a stranger's wrong passwords lock out the stranger, not the account's owner, and the audit log
records the real addresses. Guesses from many addresses hold the account as a whole
(portal.account_lock) until a password reset, or open it to the password plus the code."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.test import RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.client_ip import client_ip
from portal.models import AuditEvent

from ..enrollment.registering import register

BALANCER = "10.0.0.5"
STRANGER, OWNER = "203.0.113.9", "198.51.100.7"
PASSWORD = "demo12345"


@pytest.fixture
def behind_balancer(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


def log_in(client, username, password, *, forwarded_for, remote=BALANCER):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def address(remote, forwarded=None, proxies=("10.0.0.0/8",), settings=None) -> str | None:
    settings.TRUSTED_PROXIES = list(proxies)
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        # No trusted proxy: the header is anyone's to write, never believed.
        ("203.0.113.9", "1.2.3.4", (), "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", ("10.0.0.0/8",), "203.0.113.9"),
        # From the balancer: the address it appended (the rightmost).
        (BALANCER, STRANGER, ("10.0.0.0/8",), STRANGER),
        # What the client wrote itself stands left of it and is ignored.
        (BALANCER, f"1.2.3.4, {STRANGER}", ("10.0.0.0/8",), STRANGER),
        # Two trusted hops (a CDN in front of the balancer) are skipped.
        (BALANCER, f"1.2.3.4, {STRANGER}, 10.1.1.1", ("10.0.0.0/8",), STRANGER),
        # Junk or nothing: the nearest trusted proxy, never an error.
        (BALANCER, "unknown", ("10.0.0.0/8",), BALANCER),
        (BALANCER, "", ("10.0.0.0/8",), BALANCER),
        (BALANCER, None, ("10.0.0.0/8",), BALANCER),
        (BALANCER, "\x00", ("10.0.0.0/8",), BALANCER),
        ("2001:db8::1", "2001:db8:ffff::9", ("2001:db8::/120",), "2001:db8:ffff::9"),
    ],
)
def test_the_client_address_is_read_from_trusted_proxies_only(
    settings, remote, forwarded, proxies, expected
):
    assert address(remote, forwarded, proxies, settings=settings) == expected


def test_a_stranger_behind_the_balancer_cannot_lock_out_the_owner(
    client, behind_balancer, admin_user
):
    for _ in range(5):
        log_in(client, "admin", "salah", forwarded_for=STRANGER)
    assert log_in(client, "admin", PASSWORD, forwarded_for=STRANGER).status_code == 429
    owner = log_in(client, "admin", PASSWORD, forwarded_for=OWNER)
    assert owner.status_code == 302
    assert AccessAttempt.objects.filter(username="admin", ip_address=STRANGER).exists()


def test_a_spoofed_header_from_outside_does_not_escape_the_lock(client, behind_balancer, operator):
    for number in range(5):
        log_in(client, "socorejo", "salah", remote=STRANGER, forwarded_for=f"192.0.2.{number}")
    response = log_in(client, "socorejo", PASSWORD, remote=STRANGER, forwarded_for="192.0.2.99")
    assert response.status_code == 429


def test_the_audit_log_records_the_clients_address(client, behind_balancer, operator, world):
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    url = reverse("registration_detail", args=[registration.pk])
    assert client.get(url, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=OWNER).status_code == 200
    assert AuditEvent.objects.get(action="view_nik").ip_address == OWNER


def guess_from_many_addresses(client, username, addresses: int):
    """Five wrong passwords (the per-address limit) from each of several addresses."""
    for number in range(addresses):
        for _ in range(5):
            log_in(client, username, "salah", forwarded_for=f"192.0.2.{number}")


def test_guesses_from_many_addresses_hold_the_account_until_a_password_reset(
    client, behind_balancer, branch_staff
):
    guess_from_many_addresses(client, "cabang", addresses=4)  # 20 wrong passwords in all
    response = log_in(client, "cabang", PASSWORD, forwarded_for=OWNER)
    assert response.status_code == 200
    assert "Akun ini dikunci sementara" in response.text
    assert "_auth_user_id" not in client.session

    uid = urlsafe_base64_encode(force_bytes(branch_staff.pk))
    token = default_token_generator.make_token(branch_staff)
    set_password = client.get(reverse("password_reset_confirm", args=[uid, token]))["Location"]
    new_password = "kata-sandi-baru-2026"
    client.post(set_password, {"new_password1": new_password, "new_password2": new_password})
    assert log_in(client, "cabang", new_password, forwarded_for=OWNER).status_code == 302


def test_fewer_guesses_than_the_account_limit_do_not_hold_the_owner(
    client, behind_balancer, branch_staff
):
    guess_from_many_addresses(client, "cabang", addresses=3)  # 15, below the 20
    assert log_in(client, "cabang", PASSWORD, forwarded_for=OWNER).status_code == 302


def test_an_account_with_a_second_factor_opens_to_its_password_and_code(
    client, behind_balancer, branch_staff
):
    TOTPDevice.objects.create(user=branch_staff, name="Authenticator", confirmed=True)
    guess_from_many_addresses(client, "cabang", addresses=4)
    assert log_in(client, "cabang", PASSWORD, forwarded_for=OWNER).status_code == 302
    # The password alone reads nothing: the code is asked for first.
    assert client.get(reverse("registration_list"))["Location"].startswith(
        reverse("two_factor_verify")
    )
