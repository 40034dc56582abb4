"""The premium saved is the premium the person saw (issue #20, point 1)."""

from django.urls import reverse

from enrollment.models import Registration

from .registering import checked, form_post, register


def test_changing_the_income_after_checking_shows_the_new_premium_instead_of_saving(
    client, operator, world
):
    """Periksa at Rp1.000.000 shows Rp16.800; the income changed to Rp2.000.000 before "save"
    shows Rp26.800 with a warning and saves nothing; saving then keeps Rp26.800."""
    client.force_login(operator)
    url = reverse("registration_create")
    post = checked(client, url, form_post(world.socorejo, declared_income="1000000"))
    response = client.post(url, {**post, "declared_income": "2000000"})
    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert "Rp26.800" in response.text
    assert "Iuran berubah" in response.text
    response = client.post(
        url, {**post, "declared_income": "2000000", "priced": response.context["priced"]}
    )
    assert response.status_code == 302
    assert Registration.objects.get().monthly_premium == 26_800


def test_adding_jht_or_changing_the_category_after_checking_prices_again(client, operator, world):
    """JHT and the worker category are priced inputs too: changed after Periksa, nothing saves."""
    client.force_login(operator)
    url = reverse("registration_create")
    post = checked(client, url, form_post(world.socorejo))
    for change in ({"jht": "on"}, {"category": "rentan"}):
        response = client.post(url, {**post, **change})
        assert response.status_code == 200
        assert response.context["repriced"]
    assert not Registration.objects.exists()


def test_saving_without_checking_first_shows_the_premium(client, operator, world):
    """A "save" that never saw a premium (no signature, or a forged one) only shows it."""
    client.force_login(operator)
    url = reverse("registration_create")
    for signature in ("", "0" * 32):
        post = {**form_post(world.socorejo), "save": "1", "priced": signature}
        response = client.post(url, post)
        assert response.status_code == 200
        assert "Rp16.800" in response.text
    assert not Registration.objects.exists()


def test_the_edit_form_shows_the_premium_and_prices_a_change_before_saving(client, operator, world):
    """The edit page shows the saved premium; a changed income shows the new premium first."""
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    url = reverse("registration_edit", args=[registration.pk])
    page = client.get(url)
    assert page.context["premium_total"] == 16_800
    assert 'data-testid="premium">Rp16.800' in page.text
    post = form_post(world.socorejo, nik=registration.participant.nik, declared_income="2000000")
    response = client.post(url, {**post, "save": "1", "priced": page.context["priced"]})
    assert response.status_code == 200
    assert "Rp26.800" in response.text
    registration.refresh_from_db()
    assert registration.monthly_premium == 16_800
    response = client.post(url, {**post, "save": "1", "priced": response.context["priced"]})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.monthly_premium == 26_800


def test_an_unchanged_edit_saves_with_the_premium_shown_on_the_page(client, operator, world):
    """Changing only the name keeps the priced inputs: the page's signature saves at once."""
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    url = reverse("registration_edit", args=[registration.pk])
    page = client.get(url)
    post = form_post(world.socorejo, nik=registration.participant.nik, full_name="Sutrisno Adi")
    response = client.post(url, {**post, "save": "1", "priced": page.context["priced"]})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.participant.full_name == "Sutrisno Adi"


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(client, operator, world):
    """An error shows a summary at the top, focused by the page, linking to each field."""
    client.force_login(operator)
    post = form_post(world.socorejo, nik="123", declared_income="")
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    text = response.text
    summary = text.index('id="errors"')
    assert summary < text.index('name="nik"')
    assert 'href="#id_nik"' in text
    assert 'href="#id_declared_income"' in text
    assert "data-focus" in text[summary - 200 : summary + 200]
