"""Branch staff open the Desa Sadar 2019 dashboard as it stood at Socorejo's MoU (1 August 2019),
see Socorejo's 900 of 3,000, open the village table, sort it and export it to XLSX: the file's
rows match the table."""

import datetime
import random

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from campaigns import tally
from campaigns.models import Campaign, CampaignVillage, ScoreCriterion
from enrollment.demo import DemoPeople, registrations_create_demo, socorejo_plans, steady_plans

pytestmark = pytest.mark.browser


@pytest.fixture
def desa_sadar_2019(world, admin_user, branch_staff, operator):
    people = DemoPeople(seed=2019)
    at_the_mou = [
        plan
        for plan in socorejo_plans(people.random, world.socorejo)
        if plan.registered_on < datetime.date(2019, 8, 1)
    ]
    registrations_create_demo(
        at_the_mou,
        people=people,
        entered_by=operator,
        verified_by=branch_staff,
        kpj_prefix="19",
    )
    registrations_create_demo(
        steady_plans(
            random.Random(1),
            [world.karanglo],
            datetime.date(2019, 3, 1),
            datetime.date(2019, 10, 1),
            [150],
            ["bpu"],
            "mandiri",
        ),
        people=people,
        entered_by=admin_user,
        verified_by=branch_staff,
        kpj_prefix="20",
    )
    campaign = Campaign.objects.create(
        name="Desa Sadar Jaminan Sosial Ketenagakerjaan 2019",
        slug="desa-sadar-2019",
        branch_office=world.bojonegoro,
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2019, 12, 31),
        default_target=200,
        kind="desa_sadar",
    )
    ScoreCriterion.objects.create(campaign=campaign, measure="target", weight=1)
    CampaignVillage.objects.create(campaign=campaign, village=world.socorejo, target_override=3000)
    CampaignVillage.objects.create(campaign=campaign, village=world.karanglo)
    tally.campaign_recount(campaign)  # as the campaign's setup pages do
    return campaign


def table_rows(page):
    return [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in page.locator("table").filter(has_text="Peringkat").locator("tbody tr").all()
    ]


def test_branch_staff_follow_the_dashboard_and_export_it(
    page, live_server, login, desa_sadar_2019, tmp_path
):
    login("cabang")
    page.get_by_role("link", name="Kampanye").first.click()
    page.get_by_role("link", name="Desa Sadar Jaminan Sosial Ketenagakerjaan 2019").click()
    socorejo = page.get_by_test_id("top-villages").locator("tr", has_text="Socorejo")
    expect(socorejo).to_contain_text("900")
    expect(socorejo).to_contain_text("3.000")
    expect(socorejo).to_contain_text("30%")
    expect(page.locator("svg .bar").first).to_be_attached()

    page.get_by_test_id("all-villages").click()
    page.get_by_role("link", name="Terdaftar").click()
    page.wait_for_url("**sort=counted**")
    rows = table_rows(page)
    assert [row[1] for row in rows] == ["Karanglo", "Socorejo"]

    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "desa-sadar-2019-desa.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    exported = [
        [str(value) for value in row] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [row[1] for row in exported] == [row[1] for row in rows]
    assert [row[4:6] for row in exported] == [[row[4], row[5]] for row in rows]
    assert exported[1][4:6] == ["900", "3000"]
