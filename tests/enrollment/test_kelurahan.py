"""Kelurahan (issue 18): a kelurahan receives no Dana Desa and no ADD, so neither may pay a
registration's premiums there: not offered on the form, refused by the form, the import, the
model (the admin) and funded periods. Desa keep both."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enrollment import services
from enrollment.models import FundedPeriod, Registration

from ..factories import UserFactory, VillageFactory
from .factories import RegistrationFactory
from .registering import form_post
from .test_import_views import as_csv, errors_of, resident, upload_ok

REFUSED = "adalah kelurahan: tidak menerima Dana Desa maupun ADD"


@pytest.fixture
def kelurahan(world):
    return VillageFactory(code="35.23.12.1001", district=world.jenu, name="Kelurahan Uji")


@pytest.fixture
def kelurahan_operator(kelurahan):
    return UserFactory(username="kelurahan", village=kelurahan)


def test_the_form_does_not_offer_dana_desa_or_add_in_a_kelurahan(
    client, kelurahan_operator, operator
):
    client.force_login(kelurahan_operator)
    page = client.get(reverse("registration_create")).text
    assert 'value="mandiri"' in page
    assert 'value="dana_desa"' not in page
    assert 'value="add"' not in page
    client.force_login(operator)  # Socorejo is a desa
    page = client.get(reverse("registration_create")).text
    assert 'value="dana_desa"' in page and 'value="add"' in page


@pytest.mark.parametrize("payer", ["dana_desa", "add"])
def test_the_form_refuses_the_village_budget_as_payer_in_a_kelurahan(
    client, kelurahan_operator, kelurahan, payer
):
    client.force_login(kelurahan_operator)
    post = form_post(kelurahan, funding_source=payer)
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert REFUSED in response.text
    assert response.context["premium_total"] is None
    post["funding_source"] = "apbd"
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert response.context["premium_total"] is not None


def test_an_import_row_paid_by_dana_desa_in_a_kelurahan_is_an_error(
    client, kelurahan_operator, kelurahan
):
    client.force_login(kelurahan_operator)
    rows = [
        resident(kelurahan, **{"Sumber Dana": "Dana Desa"}),
        resident(kelurahan, **{"Sumber Dana": "Mandiri"}),
    ]
    batch = upload_ok(client, as_csv(rows))
    errors = errors_of(batch)
    assert list(errors) == [2]
    assert REFUSED in str(errors[2])
    assert batch.new_count == 1


def test_the_model_refuses_dana_desa_in_a_kelurahan(world, kelurahan):
    """What the admin and the shell run (full_clean): the same rule as the form."""
    registration = RegistrationFactory.build(
        village=kelurahan, funding_source="dana_desa", participant=None
    )
    with pytest.raises(ValidationError) as caught:
        registration.clean()
    assert [error.code for error in caught.value.error_dict["funding_source"]] == [
        "kelurahan_village_funded"
    ]
    registration.funding_source = "mandiri"
    registration.clean()


def test_a_funded_period_paid_by_the_village_budget_is_refused_in_a_kelurahan(
    client, world, kelurahan, kelurahan_operator
):
    """Refused by the period's model, by the service and on the registration's page."""
    registration = RegistrationFactory(
        village=kelurahan, participant__village=kelurahan, entered_by=kelurahan_operator
    )
    period = FundedPeriod(
        registration=registration,
        funding_source="add",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    with pytest.raises(ValidationError):
        period.full_clean()
    with pytest.raises(ValidationError):
        services.funded_period_add(
            registration=registration,
            by=kelurahan_operator,
            funding_source="dana_desa",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 6, 30),
        )
    client.force_login(kelurahan_operator)
    page = client.get(registration.get_absolute_url()).text
    assert 'value="dana_desa"' not in page
    response = client.post(
        reverse("funded_period_create", args=[registration.pk]),
        {"funding_source": "dana_desa", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
        follow=True,
    )
    assert REFUSED in response.text
    assert not FundedPeriod.objects.exists()
    assert Registration.objects.get().paid_by == ""
