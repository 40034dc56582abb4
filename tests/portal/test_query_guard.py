"""Junk in query strings answers a clear page, never a 500: a NUL character anywhere (export
filters, the account list, the event list, the registration list) and a two-factor `next`
that is not a path on this site."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.mark.parametrize(
    ("role", "url", "params"),
    [
        ("branch_staff", "/pendaftaran/ekspor.csv", {"q": "Siti\x00"}),
        ("branch_staff", "/pendaftaran/ekspor.xlsx", {"status\x00": "verified"}),
        ("operator", "/pendaftaran/", {"q": "\x00"}),
        ("admin_user", "/akun/pengguna/", {"q": "a\x00b"}),
        ("branch_staff", "/kegiatan/", {"campaign": "x\x00"}),
    ],
)
def test_a_nul_character_in_the_query_string_answers_400(client, request, role, url, params):
    client.raise_request_exception = False
    client.force_login(request.getfixturevalue(role))
    response = client.get(url, params)
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.text or "could not be" in response.text


@pytest.mark.parametrize("next_url", ["-1", "home", "javascript:alert(1)", "//evil.example/"])
def test_the_code_page_ignores_a_next_that_is_not_a_path_here(client, branch_staff, next_url):
    TOTPDevice.objects.create(user=branch_staff, name="Authenticator", confirmed=True)
    client.force_login(branch_staff)
    response = client.get(reverse("two_factor_verify"), {"next": next_url})
    assert response.status_code == 200
    assert response.context["next"] == ""
