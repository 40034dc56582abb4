"""Login lockout and audit behind the load balancer (portal.client_ip): the client's address
comes from X-Forwarded-For only when the connection comes from a proxy in TRUSTED_PROXIES, so
a stranger's wrong passwords lock out the stranger, not the account's owner, and the audit log
records the real addresses."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

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
