"""Turning two-factor on ends the user's other sessions: one opened elsewhere with the
password alone would otherwise go on reading full NIKs and exporting without the code."""

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.user_sessions import user_sessions_end

from .test_two_factor import code_for


def test_confirming_a_device_ends_the_users_other_sessions(
    client, branch_staff, other_branch_staff
):
    elsewhere, colleague = Client(), Client()
    elsewhere.force_login(branch_staff)
    colleague.force_login(other_branch_staff)
    assert elsewhere.get(reverse("registration_list")).status_code == 200

    client.force_login(branch_staff)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=branch_staff)
    client.post(reverse("two_factor_setup"), {"code": code_for(device)})

    response = elsewhere.get(reverse("registration_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The session that confirmed the device goes on; other users' sessions are untouched.
    assert client.get(reverse("registration_list")).status_code == 200
    assert colleague.get(reverse("registration_list")).status_code == 200


def test_ending_sessions_without_a_request_ends_them_all(branch_staff, other_branch_staff):
    first, second, colleague = Client(), Client(), Client()
    first.force_login(branch_staff)
    second.force_login(branch_staff)
    colleague.force_login(other_branch_staff)
    user_sessions_end(user=branch_staff)
    assert first.get(reverse("registration_list")).status_code == 302
    assert second.get(reverse("registration_list")).status_code == 302
    assert colleague.get(reverse("registration_list")).status_code == 200
    # Logging in again works: a new session carries the new hash.
    first.force_login(branch_staff)
    assert first.get(reverse("registration_list")).status_code == 200
