"""Faults (issue 7, point 6): a database error in the middle of a save leaves no partial rows,
the database going away under the running app gives a clean 503 page and the next request
works, and two branch staff verifying the same registration at once end with one KPJ.

The import's all-or-nothing save is tested in tests/enrollment/test_import_views.py."""

import threading

import pytest
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from enrollment import services
from enrollment.forms import VerifyForm
from enrollment.models import Participant, Registration, RegistrationEvent
from portal.models import User
from tests.enrollment.registering import register
from tests.factories import UserFactory

# --- A database error in the middle of a save ---------------------------------------------------


def test_registration_create_failing_after_the_inserts_leaves_no_rows(world, operator, monkeypatch):
    seen_before_failure = {}

    def fail(**kwargs):
        # The participant and the registration are inserted by now: the failure is mid-save.
        seen_before_failure["participants"] = Participant.objects.count()
        seen_before_failure["registrations"] = Registration.objects.count()
        raise DatabaseError("injected: the connection dropped")

    monkeypatch.setattr(RegistrationEvent.objects, "create", fail)
    with pytest.raises(DatabaseError):
        register(world.socorejo, operator)

    assert seen_before_failure == {"participants": 1, "registrations": 1}
    assert not Participant.objects.exists()
    assert not Registration.objects.exists()
    assert not RegistrationEvent.objects.exists()


def test_registrations_verify_failing_on_the_second_leaves_the_first_unverified(
    world, operator, branch_staff, monkeypatch
):
    first = register(world.socorejo, operator)
    second = register(world.socorejo, operator)
    original_create = RegistrationEvent.objects.create
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs["registration"].pk)
        if len(calls) == 2:
            raise DatabaseError("injected: the connection dropped")
        return original_create(**kwargs)

    monkeypatch.setattr(RegistrationEvent.objects, "create", fail_on_second)
    with pytest.raises(DatabaseError):
        services.registrations_verify(
            pairs=[(first, "10000000001"), (second, "10000000002")], by=branch_staff
        )

    assert calls == [first.pk, second.pk]
    for registration in (first, second):
        registration.refresh_from_db()
        assert registration.status == Registration.Status.SUBMITTED
        assert registration.kpj in (None, "")
    assert not RegistrationEvent.objects.filter(action=RegistrationEvent.Action.VERIFIED).exists()


# --- The database going away under the running app ----------------------------------------------


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_database_down_during_a_view_gives_a_clean_503_then_recovers(
    client, settings, branch_staff, monkeypatch, error
):
    """A lost database answers a plain 503 page (no traceback), and the next request works."""
    client.raise_request_exception = False
    client.force_login(branch_staff)
    url = reverse("branch_home")
    original_execute = CursorWrapper.execute
    down = {"failures": 0}

    def execute(self, sql, params=None):
        # The session and the user still load; the database "goes away" inside the view.
        if "agreement" in sql:
            down["failures"] += 1
            raise error("server closed the connection unexpectedly")
        return original_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    response = client.get(url)

    assert down["failures"] == 1
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.text
    assert "Layanan sementara tidak tersedia" in text
    assert "temporarily unavailable" in text
    assert text.index("Layanan sementara") < text.index("temporarily unavailable")
    assert "Traceback" not in text
    assert "server closed the connection" not in text

    monkeypatch.setattr(CursorWrapper, "execute", original_execute)
    response = client.get(url)
    assert response.status_code == 200


def test_other_view_errors_are_not_turned_into_503(client, settings, branch_staff, monkeypatch):
    """Only a lost database is 'temporarily unavailable'; a bug stays a 500."""
    client.raise_request_exception = False
    client.force_login(branch_staff)
    original_execute = CursorWrapper.execute

    def execute(self, sql, params=None):
        if "agreement" in sql:
            raise ValueError("a bug")
        return original_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    response = client.get(reverse("branch_home"))
    assert response.status_code == 500
    assert "Retry-After" not in response


# --- Two branch staff verifying the same registration at once -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_branch_staff_verify_the_same_registration_at_once(
    world, operator, branch_staff, monkeypatch
):
    """Both pass the form's KPJ check before either saves (two threads, two database
    connections): one KPJ and one history entry are kept, the other is told why."""
    second_staff = UserFactory(
        username="cabang_b", role=User.Role.BRANCH_STAFF, branch_office=world.bojonegoro
    )
    registration = register(world.socorejo, operator)
    both_checked = threading.Barrier(2, timeout=10)
    original_clean_kpj = VerifyForm.clean_kpj

    def clean_kpj_then_wait(form):
        kpj = original_clean_kpj(form)
        both_checked.wait()
        return kpj

    monkeypatch.setattr(VerifyForm, "clean_kpj", clean_kpj_then_wait)
    url = reverse("registration_verify", args=[registration.pk])
    kpjs = {branch_staff.username: "20000000001", second_staff.username: "20000000002"}
    responses = {}

    def submit(user):
        try:
            client = Client()
            client.force_login(user)
            responses[user.username] = client.post(url, {"kpj": kpjs[user.username]}, follow=True)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=[user]) for user in (branch_staff, second_staff)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(responses) == 2
    registration.refresh_from_db()
    assert registration.status == Registration.Status.VERIFIED
    assert registration.kpj in kpjs.values()
    assert Registration.objects.filter(kpj__in=kpjs.values()).count() == 1
    verified = RegistrationEvent.objects.filter(
        registration=registration, action=RegistrationEvent.Action.VERIFIED
    )
    assert verified.count() == 1
    winner = verified.get().by.username
    assert kpjs[winner] == registration.kpj
    loser = next(name for name in kpjs if name != winner)
    assert responses[winner].status_code == responses[loser].status_code == 200
    assert f"Diverifikasi dengan KPJ {registration.kpj}" in responses[winner].text
    assert "Hanya pendaftaran yang masih diajukan yang dapat diverifikasi." in responses[loser].text


def test_database_down_before_the_view_also_gives_a_503(client, branch_staff, monkeypatch):
    """When even the session or the user cannot be loaded, the answer is still a clean 503."""
    client.raise_request_exception = False
    client.force_login(branch_staff)

    def execute(self, sql, params=None):
        raise OperationalError("could not connect to server")

    with monkeypatch.context() as database_down:
        database_down.setattr(CursorWrapper, "execute", execute)
        response = client.get(reverse("branch_home"))
    assert response.status_code == 503
    assert "Layanan sementara tidak tersedia" in response.text
