"""Kelurahan in campaigns (issue 18): a campaign can cover desa only (Gresik's "1 Desa 100
pekerja" is its 330 desa, not its 356 villages), and a kelurahan has no Dana Desa budget
planner: its page says why."""

import pytest
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign

from ..factories import VillageFactory
from .factories import CampaignFactory


@pytest.fixture
def gresik_villages(world):
    """Manyar: three desa (Tanggulrejo among them) and two kelurahan."""
    return [
        world.tanggulrejo,
        VillageFactory(code="35.25.10.2002", district=world.manyar, name="Desa Dua"),
        VillageFactory(code="35.25.10.2003", district=world.manyar, name="Desa Tiga"),
        VillageFactory(code="35.25.10.1001", district=world.manyar, name="Kelurahan Satu"),
        VillageFactory(code="35.25.10.1002", district=world.manyar, name="Kelurahan Dua"),
    ]


def counted(campaign: Campaign) -> tuple[int, int, int]:
    campaign.refresh_from_db()
    regency = campaign.areas.get(code="35.25")
    return campaign.village_count, campaign.target_total, regency.villages


def test_a_desa_only_campaign_adds_no_kelurahan_and_counts_desa_only(
    world, admin_user, gresik_villages
):
    """Adding the whole regency: 3 desa, 300 workers; the same without the setting: 5 villages."""
    desa_only = CampaignFactory(branch_office=world.kc_gresik, desa_only=True)
    services.campaign_villages_set(desa_only, regency=world.gresik, by=admin_user)
    assert counted(desa_only) == (3, 300, 3)
    assert not desa_only.villages.filter(code__startswith="35.25.10.1").exists()

    every_village = CampaignFactory(branch_office=world.kc_gresik)
    services.campaign_villages_set(every_village, regency=world.gresik, by=admin_user)
    assert counted(every_village) == (5, 500, 5)


def test_making_a_campaign_desa_only_removes_its_kelurahan(world, admin_user, gresik_villages):
    campaign = CampaignFactory(branch_office=world.kc_gresik, villages=gresik_villages)
    assert counted(campaign) == (5, 500, 5)
    campaign.desa_only = True
    services.campaign_save(campaign=campaign, weights={}, by=admin_user)
    assert counted(campaign) == (3, 300, 3)


def test_the_admin_shows_the_setting_and_adding_a_district_follows_it(
    client, world, admin_user, gresik_villages
):
    """The setting is in the campaign's admin; adding a district adds its desa only."""
    campaign = CampaignFactory(branch_office=world.kc_gresik, desa_only=True)
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).text
    assert 'name="desa_only"' in page
    services.campaign_villages_set(campaign, district=world.manyar, by=admin_user)
    assert counted(campaign) == (3, 300, 3)


def test_a_kelurahan_has_no_budget_planner_and_its_page_says_why(
    client, world, admin_user, gresik_villages
):
    kelurahan = gresik_villages[3]
    campaign = CampaignFactory(branch_office=world.kc_gresik, villages=gresik_villages)
    client.force_login(admin_user)
    response = client.get(reverse("budget_planner", args=[campaign.slug, kelurahan.code]))
    assert response.status_code == 200
    assert "Kelurahan Satu adalah kelurahan: tidak menerima Dana Desa maupun Alokasi Dana Desa" in (
        response.text
    )
    assert 'data-testid="budget-1"' not in response.text
    desa = client.get(reverse("budget_planner", args=[campaign.slug, world.tanggulrejo.code]))
    assert 'data-testid="budget-1"' in desa.text


def test_the_campaign_form_sets_desa_only_and_adds_the_regencys_desa(
    client, world, admin_user, gresik_villages
):
    """Gresik's "1 Desa 100 pekerja" set up on the campaign page: its desa, not its kelurahan."""
    from .test_setup import campaign_post

    client.force_login(admin_user)
    response = client.post(
        reverse("campaign_create"),
        campaign_post(
            name="1 Desa 100 Pekerja",
            kind="1desa100",
            branch_office=world.kc_gresik.pk,
            desa_only="on",
            add_regency=world.gresik.pk,
        ),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.desa_only
    assert counted(campaign) == (3, 300, 3)
