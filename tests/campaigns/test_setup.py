"""Setting up campaigns and socialization events: who may, within which area, and what bad input
is told."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from campaigns import services
from campaigns.forms import normalize_code, parse_village_lines
from campaigns.models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent

from ..factories import DistrictFactory, VillageFactory
from .factories import CampaignFactory, CampaignVillageFactory, SocializationEventFactory

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}
# url name: {role: status} for a GET; the object is KC Bojonegoro's Socorejo campaign.
MATRIX = {
    "campaign_create": dict(zip(ROLES, [302, 302, 200, 200, 200, 403, 403], strict=True)),
    "campaign_edit": dict(zip(ROLES, [302, 302, 200, 200, 404, 403, 403], strict=True)),
    "event_list": dict(zip(ROLES, [302, 302, 200, 200, 200, 200, 200], strict=True)),
    "event_create": dict(zip(ROLES, [302, 302, 200, 200, 200, 403, 403], strict=True)),
}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, the messages' source language, whatever gets translated later."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def socorejo_campaign(world):
    campaign = CampaignFactory(
        name="Desa Sadar Socorejo",
        slug="desa-sadar-socorejo",
        branch_office=world.bojonegoro,
        villages=[world.socorejo],
    )
    CampaignVillage.objects.filter(campaign=campaign).update(target_override=3000)
    return campaign


def log_in(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer(client, request, socorejo_campaign, name, role):
    """Managers only create and edit; another branch's campaign is 404 (as if missing);
    operators get 403; anonymous and deactivated users are sent to log in."""
    url = reverse(name, args=[socorejo_campaign.slug]) if name == "campaign_edit" else reverse(name)
    response = log_in(client, request, role).get(url)
    assert response.status_code == MATRIX[name][role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_a_campaign_organised_elsewhere_is_not_editable_even_when_visible(
    client, world, branch_staff
):
    """KC Gresik's campaign includes Socorejo, so KC Bojonegoro's staff see it, but only its
    organisers (and admins) may change it."""
    campaign = CampaignFactory(branch_office=world.kc_gresik, villages=[world.socorejo])
    assert Campaign.objects.for_user(branch_staff).filter(pk=campaign.pk).exists()
    client.force_login(branch_staff)
    assert client.get(reverse("campaign_edit", args=[campaign.slug])).status_code == 404


def test_a_pioneer_office_campaign_is_editable_by_its_parent_branch(client, world, branch_staff):
    """KCP Tuban is under KC Bojonegoro: the branch's staff manage its campaigns too."""
    campaign = CampaignFactory(branch_office=world.kcp_tuban)
    client.force_login(branch_staff)
    assert client.get(reverse("campaign_edit", args=[campaign.slug])).status_code == 200


def campaign_post(**overrides) -> dict:
    data = {
        "name": "Desa Sadar Jaminan Sosial 2026",
        "slug": "",
        "kind": "desa_sadar",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "description": "",
        "default_target": "100",
        "counts": "verified",
        "officials_goal_percent": "",
        "weight_target": "2",
        "weight_officials": "1",
        "weight_working_age": "0",
        "weight_continuing": "0",
        "add_regency": "",
        "add_district": "",
        "villages": "",
        "remove": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_branch_staff_create_a_campaign_for_their_regency(client, world, branch_staff):
    """Adding Tuban adds its villages; a line gives Socorejo its own target; the organiser is the
    staff member's office whatever is posted; the slug comes from the name; weights of 0 are
    left out of the score."""
    client.force_login(branch_staff)
    response = client.post(
        reverse("campaign_create"),
        campaign_post(
            add_regency=world.tuban.pk,
            villages="35.23.12.2002 3.000",
            branch_office=world.purwokerto.pk,
            categories=["rentan", "rt_rw"],
            is_public="on",
        ),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.slug == "desa-sadar-jaminan-sosial-2026"
    assert campaign.branch_office == world.bojonegoro
    assert campaign.categories == ["rentan", "rt_rw"]
    assert campaign.is_public
    assert dict(campaign.participations.values_list("village_id", "target_override")) == {
        "35.23.12.2002": 3000,
        "35.23.08.2016": None,
    }
    assert {(c.measure, c.weight) for c in campaign.criteria.all()} == {
        ("target", 2),
        ("officials", 1),
    }


def test_admins_choose_the_organising_branch(client, world, admin_user):
    """Admins organise for any office and must say which; they may add any district."""
    client.force_login(admin_user)
    response = client.post(reverse("campaign_create"), campaign_post(add_district="33.02.03"))
    assert "branch_office" in response.context["form"].errors
    response = client.post(
        reverse("campaign_create"),
        campaign_post(add_district="330203", branch_office=world.purwokerto.pk),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.branch_office == world.purwokerto
    assert list(campaign.villages.all()) == [world.karanglewas]


def test_a_second_campaign_with_the_same_name_gets_its_own_slug(client, world, branch_staff):
    client.force_login(branch_staff)
    client.post(reverse("campaign_create"), campaign_post())
    client.post(reverse("campaign_create"), campaign_post())
    assert sorted(Campaign.objects.values_list("slug", flat=True)) == [
        "desa-sadar-jaminan-sosial-2026",
        "desa-sadar-jaminan-sosial-2026-2",
    ]


def test_editing_shows_own_targets_and_takes_them_back(client, world, branch_staff):
    """The form lists the villages with their own target; a line taken off sends the village
    back to the campaign's target; a village can be removed by code; weights are updated."""
    campaign = CampaignFactory(
        branch_office=world.bojonegoro, villages=[world.socorejo, world.karanglo]
    )
    campaign.participations.filter(village=world.socorejo).update(target_override=3000)
    ScoreCriterion.objects.create(campaign=campaign, measure="target", weight=1)
    client.force_login(branch_staff)
    url = reverse("campaign_edit", args=[campaign.slug])
    form = client.get(url).context["form"]
    assert form["villages"].value() == "35.23.12.2002 3000  # Socorejo"
    assert form["weight_target"].value() == 1

    response = client.post(
        url,
        campaign_post(
            name=campaign.name,
            slug=campaign.slug,
            starts_on=campaign.starts_on.isoformat(),
            ends_on=campaign.ends_on.isoformat(),
            villages="",
            remove="35.23.08.2016",
            weight_target="0",
            weight_officials="0",
            weight_working_age="3",
        ),
    )
    assert response.status_code == 302
    assert dict(campaign.participations.values_list("village_id", "target_override")) == {
        "35.23.12.2002": None
    }
    assert list(campaign.criteria.values_list("measure", "weight")) == [("working_age", 3)]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"starts_on": "2026-12-31", "ends_on": "2026-01-01"},
            "ends_on",
            "The campaign must not end before it starts.",
        ),
        (
            {"villages": "35.23.12.2999"},
            "villages",
            "No village has the code 35.23.12.2999.",
        ),
        (
            {"villages": "33.02.03.2003 100"},
            "villages",
            "Village Karanglewas (33.02.03.2003) is outside your area.",
        ),
        (
            {"villages": "35.23.12.2002 -5"},
            "villages",
            "Line 1: the target “-5” must be a whole number from 1 to 1000000.",
        ),
        (
            {"villages": "Socorejo 3000"},
            "villages",
            "Line 1: “Socorejo” is not a village code such as 35.23.12.2002.",
        ),
        (
            {"default_target": "-5"},
            "default_target",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"weight_target": "-1"},
            "weight_target",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"officials_goal_percent": "120"},
            "officials_goal_percent",
            "Ensure this value is less than or equal to 100.",
        ),
        (
            {"add_district": "33.02.03"},
            "add_district",
            "District Jatilawang (33.02.03) is outside your area.",
        ),
        ({"add_district": "35.23.99"}, "add_district", "No district has the code 35.23.99."),
        ({"add_district": "35.23"}, "add_district", "Enter a code such as 35.23.12."),
        (
            {"add_regency": "33.02"},
            "add_regency",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_told_and_nothing_is_saved(
    client, world, branch_staff, overrides, field, message
):
    """Each mistake gets a clear message on its field, never a server error."""
    client.force_login(branch_staff)
    response = client.post(reverse("campaign_create"), campaign_post(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message.replace("“", "&ldquo;").split("&")[0] in response.text
    assert not Campaign.objects.exists()


def test_removing_a_village_not_taking_part_is_told(client, world, branch_staff):
    campaign = CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo])
    client.force_login(branch_staff)
    response = client.post(
        reverse("campaign_edit", args=[campaign.slug]),
        campaign_post(name=campaign.name, slug=campaign.slug, remove="35.23.08.2016"),
    )
    assert response.context["form"].errors["remove"] == [
        "No village of 35.23.08.2016 in your area takes part in this campaign."
    ]
    assert campaign.participations.count() == 1


def test_the_slug_must_be_unique(client, world, branch_staff, socorejo_campaign):
    client.force_login(branch_staff)
    response = client.post(reverse("campaign_create"), campaign_post(slug=socorejo_campaign.slug))
    assert "slug" in response.context["form"].errors


def test_the_create_form_answers_in_bounded_queries(
    client, world, branch_staff, django_assert_max_num_queries
):
    client.force_login(branch_staff)
    # 8, the bell's count coming with the user.
    with django_assert_max_num_queries(8):
        assert client.get(reverse("campaign_create")).status_code == 200


# The service


def test_villages_set_refuses_anything_outside_the_area_and_changes_nothing(world, branch_staff):
    """One village outside the area and the whole change is refused: atomic, not partial."""
    campaign = CampaignFactory(branch_office=world.bojonegoro)
    with pytest.raises(services.OutsideArea) as error:
        services.campaign_villages_set(
            campaign,
            regency=world.tuban,
            targets={"35.23.12.2002": 3000, "33.02.03.2003": 100},
            by=branch_staff,
        )
    assert error.value.codes == ["33.02.03.2003"]
    with pytest.raises(services.OutsideArea):
        services.campaign_villages_set(campaign, district=world.jatilawang, by=branch_staff)
    assert not campaign.participations.exists()


def test_villages_set_adds_by_district_once_and_keeps_existing_targets(world, branch_staff):
    """Adding a district twice adds its villages once; villages already taking part keep their
    own target unless a new one is given."""
    extra = VillageFactory(code="35.23.12.2003", district=world.jenu, name="Sugihwaras")
    campaign = CampaignFactory(branch_office=world.bojonegoro)
    CampaignVillageFactory(campaign=campaign, village=world.socorejo, target_override=3000)
    first = services.campaign_villages_set(campaign, district=world.jenu, by=branch_staff)
    again = services.campaign_villages_set(
        campaign, district=world.jenu, villages=[extra], by=branch_staff
    )
    assert (first.added, again.added) == (1, 0)
    assert dict(campaign.participations.values_list("village_id", "target_override")) == {
        "35.23.12.2002": 3000,
        "35.23.12.2003": None,
    }


def test_villages_set_removes_a_whole_district(world, admin_user):
    campaign = CampaignFactory(villages=[world.socorejo, world.karanglo, world.karanglewas])
    changed = services.campaign_villages_set(campaign, remove=["35.23.08"], by=admin_user)
    assert changed.removed == 1
    assert set(campaign.villages.values_list("code", flat=True)) == {
        "35.23.12.2002",
        "33.02.03.2003",
    }


def test_campaign_save_keeps_branch_staff_to_their_own_office(world, branch_staff):
    campaign = Campaign(
        name="Kampanye Tuban",
        branch_office=world.purwokerto,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    services.campaign_save(campaign=campaign, weights={"target": 1}, by=branch_staff)
    campaign.refresh_from_db()
    assert campaign.branch_office == world.bojonegoro
    assert campaign.slug == "kampanye-tuban"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("35.23.12.2002", "35.23.12.2002"),
        (" 3523122002 ", "35.23.12.2002"),
        ("352312", "35.23.12"),
        ("3523", "35.23"),
        ("35.23.12.200", ""),
        ("Socorejo", ""),
    ],
)
def test_codes_are_read_with_or_without_dots(typed, code):
    assert normalize_code(typed) == code


def test_village_lines_allow_comments_and_thousands_separators():
    targets, errors = parse_village_lines(
        "35.23.12.2002 3.000  # Socorejo\n\n35.23.08.2016\n3302032003 1,500"
    )
    assert errors == []
    assert targets == {"35.23.12.2002": 3000, "35.23.08.2016": None, "33.02.03.2003": 1500}


# Socialization events


def event_post(**overrides) -> dict:
    data = {
        "held_on": "2026-03-14",
        "kind": "sosialisasi",
        "place": "Balai Desa Socorejo",
        "village": "35.23.12.2002",
        "district": "",
        "attendees": "70",
        "campaign": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_branch_staff_record_an_event_in_a_village_of_their_area(
    client, world, branch_staff, socorejo_campaign
):
    """The district follows from the village; the campaign is optional."""
    client.force_login(branch_staff)
    response = client.post(reverse("event_create"), event_post(campaign=socorejo_campaign.pk))
    assert response.status_code == 302
    event = SocializationEvent.objects.get()
    assert (event.village, event.district, event.campaign) == (
        world.socorejo,
        world.jenu,
        socorejo_campaign,
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"village": "33.02.03.2003"},
            "village",
            "Village Karanglewas (33.02.03.2003) is outside your area.",
        ),
        ({"village": "35.23.12.2999"}, "village", "No village has the code 35.23.12.2999."),
        (
            {"village": "", "district": "33.02.03"},
            "district",
            "District Jatilawang (33.02.03) is outside your area.",
        ),
        (
            {"village": "", "district": ""},
            "__all__",
            "Name the village or the district where the event was held.",
        ),
        ({"district": "35.23.08"}, "village", "The village is not in the district given."),
        ({"attendees": "-3"}, "attendees", "Ensure this value is greater than or equal to 0."),
        ({"held_on": ""}, "held_on", "This field is required."),
    ],
)
def test_bad_event_input_is_told(client, world, branch_staff, overrides, field, message):
    client.force_login(branch_staff)
    response = client.post(reverse("event_create"), event_post(**overrides))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not SocializationEvent.objects.exists()


def test_another_branch_campaign_cannot_be_chosen_for_an_event(
    client, world, other_branch_staff, socorejo_campaign
):
    client.force_login(other_branch_staff)
    response = client.post(
        reverse("event_create"),
        event_post(village="33.02.03.2003", campaign=socorejo_campaign.pk),
    )
    assert "campaign" in response.context["form"].errors


def test_event_lists_are_scoped_to_the_area_and_its_campaigns(
    client, world, operator, other_branch_staff, socorejo_campaign
):
    """Operators see their village's events, events for their district and their campaigns'
    events; another branch sees none of Tuban's."""
    kerek = SocializationEventFactory(village=world.karanglo, place="Balai Desa Karanglo")
    in_village = SocializationEventFactory(village=world.socorejo, place="Balai Desa Socorejo")
    for_district = SocializationEventFactory(village=None, district=world.jenu, place="Kec. Jenu")
    of_campaign = SocializationEventFactory(
        village=world.karanglo, place="Pendopo Tuban", campaign=socorejo_campaign
    )
    banyumas = SocializationEventFactory(village=world.karanglewas, place="Balai Karanglewas")

    client.force_login(operator)
    events = set(client.get(reverse("event_list")).context["events"])
    assert events == {in_village, for_district, of_campaign}
    assert kerek not in events

    client.force_login(other_branch_staff)
    assert list(client.get(reverse("event_list")).context["events"]) == [banyumas]


def test_the_event_list_filters_by_campaign_and_pages(
    client, world, branch_staff, socorejo_campaign, django_assert_max_num_queries
):
    for day in range(30):
        SocializationEventFactory(
            village=world.socorejo,
            campaign=socorejo_campaign,
            held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
        )
    SocializationEventFactory(village=world.karanglo)
    client.force_login(branch_staff)
    # session, user, office, session save (3), campaign, count, page
    with django_assert_max_num_queries(10):
        response = client.get(reverse("event_list"), {"campaign": socorejo_campaign.slug})
    assert response.context["page"].paginator.count == 30
    assert len(response.context["events"]) == 25
    assert "Page 1 of 2" in response.text
    assert client.get(reverse("event_list"), {"campaign": "nope"}).status_code == 404


def test_code_suggestions_offer_only_the_area(client, world, branch_staff):
    """Suggestions for the village and district codes come from the user's area only."""
    DistrictFactory(code="35.25.11", regency=world.gresik, name="Bungah")
    client.force_login(branch_staff)
    html = client.get(reverse("event_create")).text
    assert '<option value="35.23.12">Jenu, Kabupaten Tuban</option>' in html
    assert '<option value="35.23.12.2002">Socorejo, Jenu</option>' in html
    assert "33.02.03.2003" not in html
    assert "35.25.11" not in html
    assert "33.02.03" not in html


# The Django admin


def admin_campaign_post(world, **overrides) -> dict:
    data = {
        "name": "1 Desa 100 Pekerja Tuban",
        "slug": "1-desa-100-tuban",
        "kind": "1desa100",
        "branch_office": world.bojonegoro.pk,
        "description": "",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "default_target": "100",
        "counts": "verified",
        "categories": ["rentan", "rt_rw"],
        "officials_goal_percent": "",
        "add_regency": "",
        "add_district": world.jenu.pk,
        "participations-TOTAL_FORMS": "1",
        "participations-INITIAL_FORMS": "0",
        "participations-0-village": world.karanglo.pk,
        "participations-0-target_override": "250",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-measure": "target",
        "criteria-0-weight": "1",
    }
    data.update(overrides)
    return data


def test_admins_add_a_campaign_with_a_whole_district_in_the_admin(client, world, admin_user):
    """The inline adds Karanglo with its own target; the district field adds Jenu's villages."""
    client.force_login(admin_user)
    response = client.post(reverse("admin:campaigns_campaign_add"), admin_campaign_post(world))
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert campaign.categories == ["rentan", "rt_rw"]
    assert dict(campaign.participations.values_list("village_id", "target_override")) == {
        "35.23.08.2016": 250,
        "35.23.12.2002": None,
    }
    assert list(campaign.criteria.values_list("measure", "weight")) == [("target", 1)]


def test_the_admin_lists_campaigns_and_events(client, world, admin_user, socorejo_campaign):
    SocializationEventFactory(village=world.socorejo, campaign=socorejo_campaign)
    client.force_login(admin_user)
    response = client.get(reverse("admin:campaigns_campaign_changelist"))
    assert "Desa Sadar Socorejo" in response.text
    change = client.get(reverse("admin:campaigns_campaign_change", args=[socorejo_campaign.pk]))
    assert change.status_code == 200
    assert client.get(reverse("admin:campaigns_socializationevent_changelist")).status_code == 200
    assert client.get(reverse("admin:campaigns_socializationevent_add")).status_code == 200


def test_the_admin_district_field_searches_districts(client, world, admin_user):
    """The "add every village of a district" field autocompletes through the district admin."""
    client.force_login(admin_user)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "villages", "model_name": "village", "field_name": "district", "term": "Jen"},
    )
    assert [result["id"] for result in response.json()["results"]] == ["35.23.12"]
