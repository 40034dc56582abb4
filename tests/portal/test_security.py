import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import User

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_deploy_checks_pass_with_debug_off():
    """`check --deploy` reports nothing in production settings."""
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    """Without SECRET_KEY and DEBUG off, start-up stops with a clear message."""
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_pages_send_the_security_headers(client, world):
    """A strict CSP (no inline scripts), no framing, a referrer policy."""
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_page_carries_an_inline_script(client, branch_staff, operator):
    """Every script is a file from our own static folder (the CSP would block the rest)."""
    for user, path in [(branch_staff, "/cabang/"), (operator, "/pendaftaran/baru/")]:
        client.force_login(user)
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path


def test_health_reveals_nothing_but_its_status(client, db):
    """The load balancer's check needs no login and tells only "ok"."""
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_repeated_failures_lock_the_account_with_a_clear_message(client, operator):
    """Five wrong passwords lock the username: even the right one is refused, in Indonesian."""
    for _ in range(5):
        client.post(reverse("login"), {"username": "socorejo", "password": "salah"})
    response = client.post(reverse("login"), {"username": "socorejo", "password": "demo12345"})
    assert response.status_code == 429
    assert "terkunci selama 15 menit" in response.text
    assert "_auth_user_id" not in client.session


def test_an_idle_session_expires(client, operator):
    """After the idle time the session is gone and the user must log in again."""
    client.post(reverse("login"), {"username": "socorejo", "password": "demo12345"})
    assert client.get(reverse("village_home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("village_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_created_by_an_admin_must_change_its_password_first(client, admin_user, world):
    """The admin's add form marks the account; its first login leads to the password change
    and nowhere else until a new password is chosen."""
    client.force_login(admin_user)
    client.post(
        reverse("admin:portal_user_add"),
        {
            "username": "operator_baru",
            "password1": "Sementara-2026!",
            "password2": "Sementara-2026!",
            "usable_password": "true",
            "role": "village_operator",
            "village": world.socorejo.pk,
        },
    )
    user = User.objects.get(username="operator_baru")
    assert user.must_change_password
    client.logout()
    client.post(reverse("login"), {"username": "operator_baru", "password": "Sementara-2026!"})
    response = client.get(reverse("registration_list"))
    assert response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert "Pilih sandi Anda sendiri" in page.text
    client.post(
        reverse("password_change"),
        {
            "old_password": "Sementara-2026!",
            "new_password1": "Sawah-Hijau-77",
            "new_password2": "Sawah-Hijau-77",
        },
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("registration_list")).status_code == 200


def test_a_weak_new_password_is_refused(client, operator):
    """Django's validators apply: too short, too common, all digits."""
    client.force_login(operator)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo12345",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert "terlalu umum" in response.text


def test_password_reset_by_email(client, operator):
    """The reset page sends a one-time link; it sets a new password once."""
    operator.email = "operator@socorejo.desa.id"
    operator.save()
    response = client.post(reverse("password_reset"), {"email": "operator@socorejo.desa.id"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Laut-Biru-2026", "new_password2": "Laut-Biru-2026"},
    )
    assert User.objects.get(pk=operator.pk).check_password("Laut-Biru-2026")
    reused = client.get(link, follow=True)
    assert "tidak berlaku lagi" in reused.text


def test_viewing_a_full_nik_is_audited_and_the_log_is_read_only(
    client, admin_user, operator, world
):
    """Opening a registration records who saw the NIK; admins search the log but cannot edit."""
    from portal.models import AuditEvent

    from ..enrollment.registering import register

    registration = register(world.socorejo, operator)
    client.force_login(operator)
    client.get(registration.get_absolute_url())
    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.village) == (operator, "view_nik", world.socorejo)
    assert event.object_id == str(registration.participant_id)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:portal_auditevent_changelist"), {"q": "socorejo"})
    assert listing.status_code == 200
    assert "Melihat NIK lengkap" in listing.text
    change = client.post(reverse("admin:portal_auditevent_change", args=[event.pk]), {})
    assert change.status_code == 403
    assert client.get(reverse("admin:portal_auditevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert AuditEvent.objects.count() == 1


def test_an_oversized_request_body_gets_a_clear_answer(client, operator, settings):
    """A body over the limit is refused before it is read: 413 and a page that says why."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REQUEST_MAX_BYTES = 50_000
    client.force_login(operator)
    upload = SimpleUploadedFile("daftar.csv", b"NIK;Nama\n" + b"x" * 60_000)
    response = client.post(reverse("registration_import"), {"file": upload})
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.text
    assert "48,8\xa0KB" in response.text


def test_too_many_form_fields_get_a_clear_400_page(client, operator, settings):
    """Django's own limits on form data answer with an Indonesian page, not a crash."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(operator)
    response = client.post(reverse("registration_create"), {f"f{n}": "x" for n in range(50)})
    assert response.status_code == 400
    assert "tidak dapat diproses" in response.text


def test_a_missing_page_says_so_in_indonesian(client, operator):
    """404 pages explain that the page does not exist or is outside the user's area."""
    client.force_login(operator)
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "tidak ada di wilayah Anda" in response.text
