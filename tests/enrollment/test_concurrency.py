import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from enrollment import priced
from enrollment.forms import RegistrationForm
from enrollment.models import Participant, Registration
from tests.factories import UserFactory

from .registering import form_post, nik_for


@pytest.mark.django_db(transaction=True)
def test_two_operators_register_the_same_nik_at_once(world, monkeypatch):
    """Both pass the form's duplicate check before either saves (two threads, two database
    connections): the database keeps exactly one row and the other operator is told."""
    operators = [
        UserFactory(username="operator_a", village=world.socorejo),
        UserFactory(username="operator_b", village=world.socorejo),
    ]
    both_checked = threading.Barrier(2, timeout=10)
    original_clean_nik = RegistrationForm.clean_nik

    def clean_nik_then_wait(form):
        nik = original_clean_nik(form)
        both_checked.wait()
        return nik

    monkeypatch.setattr(RegistrationForm, "clean_nik", clean_nik_then_wait)
    post = {**form_post(world.socorejo, nik=nik_for(world.socorejo, serial=42)), "save": "1"}
    # Both saw the premium of these inputs (Rp16.800 for Rp1.000.000 without JHT).
    post["priced"] = priced.signature(
        data={
            "declared_income": 1_000_000,
            "jht": False,
            "jp": False,
            "category": "bpu",
            "occupation_group": "other",
            "funding_source": "mandiri",
            "employer_name": "",
        },  # fmt: skip
        premium_total=16_800,
    )
    responses = {}

    def submit(user):
        try:
            client = Client()
            client.force_login(user)
            responses[user.username] = client.post(reverse("registration_create"), post)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=[user]) for user in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Participant.objects.count() == 1
    assert Registration.objects.count() == 1
    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 302]
    refused = next(r for r in responses.values() if r.status_code == 200)
    assert "NIK ini sudah terdaftar" in refused.text
