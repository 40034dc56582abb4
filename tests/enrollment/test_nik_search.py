"""The list's search box finds a whole NIK, never the start of one: otherwise a masked NIK
(352312******0001) could be rebuilt digit by digit from the answers, in 23 searches."""

from django.urls import reverse

from .registering import register


def found(client, query) -> int:
    return len(client.get(reverse("registration_list"), {"q": query}).context["table"].rows)


def test_the_search_finds_a_whole_nik_only(client, operator, world):
    registration = register(world.socorejo, operator)
    nik = registration.participant.nik
    client.force_login(operator)
    assert found(client, nik) == 1
    assert found(client, f"{nik[:6]} {nik[6:12]} {nik[12:]}") == 1
    for prefix in (nik[:6], nik[:12], nik[:15]):
        assert found(client, prefix) == 0
    assert found(client, registration.participant.full_name[:4]) == 1


def test_the_export_filter_finds_a_whole_nik_only(client, operator, world):
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    nik = registration.participant.nik
    whole = client.get(reverse("registration_export", args=["csv"]), {"q": nik})
    prefix = client.get(reverse("registration_export", args=["csv"]), {"q": nik[:12]})
    assert nik in whole.content.decode("utf-8-sig")
    assert nik not in prefix.content.decode("utf-8-sig")
