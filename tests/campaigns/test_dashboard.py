import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from campaigns import tally
from campaigns.models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent
from villages.models import Village

from ..enrollment.factories import AgentFactory
from ..enrollment.registering import register
from .test_progress import registered


def make_campaign(world, villages=(), *, public=False, slug="desa-sadar-2026"):
    campaign = Campaign.objects.create(
        name="Desa Sadar 2026",
        slug=slug,
        branch_office=world.bojonegoro,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        default_target=10,
        is_public=public,
    )
    ScoreCriterion.objects.create(campaign=campaign, measure="target", weight=2)
    ScoreCriterion.objects.create(campaign=campaign, measure="officials", weight=1)
    for village in villages:
        CampaignVillage.objects.create(campaign=campaign, village=village)
    tally.campaign_recount(campaign)  # as the campaign's setup pages do
    campaign.refresh_from_db()
    return campaign


def villages_url(campaign):
    return reverse("campaign_villages", args=[campaign.slug])


def many_villages(world, count):
    villages = [
        Village(code=f"35.23.12.{2100 + n}", district=world.jenu, name=f"Desa {n:03d}")
        for n in range(count)
    ]
    return Village.objects.bulk_create(villages)


@pytest.mark.parametrize("village_count", [10, 500])
def test_the_dashboard_uses_a_bounded_number_of_queries(
    client, branch_staff, operator, world, django_assert_max_num_queries, village_count
):
    """At most 10 queries, for 10 villages as for 500, with registrations and events, when the
    page is rendered (the cache cleared: 9, and the versions of what it shows). (Once warm: a
    process reads the region names once; a session is saved at most once a minute.)"""
    villages = many_villages(world, village_count)
    campaign = make_campaign(world, [world.socorejo, *villages])
    for _ in range(3):
        registered(world.socorejo, operator)
    SocializationEvent.objects.create(
        campaign=campaign, kind="sosialisasi", held_on=datetime.date(2026, 3, 1), place="Balai Desa"
    )
    client.force_login(branch_staff)
    client.get(campaign.get_absolute_url())
    cache.clear()
    with django_assert_max_num_queries(10):
        response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert response.context["totals"].villages == village_count + 1
    client.get(villages_url(campaign))
    cache.clear()
    with django_assert_max_num_queries(10):
        response = client.get(villages_url(campaign), {"regency": world.tuban.pk})
    assert response.status_code == 200
    table = response.context["table"]
    assert len(table.page.object_list) == min(25, village_count + 1)
    assert table.paginator.count == village_count + 1


def test_the_dashboard_shows_totals_ranking_and_criteria(client, branch_staff, operator, world):
    """Branch staff see counted of target, the ranking and the scoring rule next to it."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    for _ in range(4):
        registered(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(campaign.get_absolute_url())
    text = response.text
    assert "4 dari 20 (20%)" in text
    assert "Bagian target yang tercapai × 2" in text
    top = response.context["top"]
    assert [(row.rank, row.village.name, row.counted) for row in top] == [
        (1, "Socorejo", 4),
        (2, "Karanglo", 0),
    ]
    rows = list(client.get(villages_url(campaign)).context["table"].rows)
    assert [row.get_cell("village") for row in rows] == ["Socorejo", "Karanglo"]
    assert [row.get_cell_value("rank") for row in rows] == [1, 2]


def test_the_village_table_filters_by_district_and_sorts(client, branch_staff, operator, world):
    """Filtering keeps the campaign-wide rank; sorting by registered works."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    registered(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(villages_url(campaign), {"district": world.kerek.pk})
    rows = list(response.context["table"].rows)
    assert [(row.get_cell("village"), row.get_cell_value("rank")) for row in rows] == [
        ("Karanglo", 2)
    ]
    response = client.get(villages_url(campaign), {"sort": "counted"})
    assert [row.get_cell("village") for row in response.context["table"].rows] == [
        "Karanglo",
        "Socorejo",
    ]


def test_a_campaign_within_one_province_sums_its_regencies(client, admin_user, operator, world):
    """Socorejo and Karanglo (both in Tuban, Jawa Timur): one regency row, not one province."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    registered(world.socorejo, operator)
    client.force_login(admin_user)
    response = client.get(campaign.get_absolute_url())
    assert response.context["area_level"] == "regency"
    assert [(a.code, a.villages, a.counted, a.target) for a in response.context["areas"]] == [
        ("35.23", 2, 1, 20)
    ]


def test_a_campaign_across_provinces_sums_them_and_narrows_province_regency_district(
    client, admin_user, operator, world
):
    """Across Jawa Timur and Jawa Tengah the dashboard sums provinces, each linking to its
    villages; the village table offers regencies once a province is chosen (or implied by a
    chosen regency), districts once a regency is."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo, world.karanglewas])
    registered(world.socorejo, operator)
    client.force_login(admin_user)
    response = client.get(campaign.get_absolute_url())
    assert response.context["area_level"] == "province"
    assert [(a.code, a.villages, a.counted, a.target) for a in response.context["areas"]] == [
        ("33", 1, 0, 10),
        ("35", 2, 1, 20),
    ]
    assert f'{villages_url(campaign)}?province=35">' in response.text

    def offered(params):
        form = client.get(villages_url(campaign), params).context["filter"].form
        places = {name: field for name, field in form.fields.items() if name != "q"}
        return {name: [code for code, _ in field.choices if code] for name, field in places.items()}

    assert offered({}) == {"province": ["33", "35"]}
    assert offered({"province": "35"}) == {
        "province": ["33", "35"],
        "regency": ["35.23"],
        "district": ["35.23.12", "35.23.08"],  # by name: Jenu, Kerek
    }
    assert offered({"regency": "33.02"})["district"] == [world.karanglewas.district_id]

    # Under the table, the areas one level down, each linking to its villages (Jawa Timur has
    # one regency here, so its districts).
    text = client.get(villages_url(campaign)).text
    assert f'{villages_url(campaign)}?province=33">Jawa Tengah</a>' in text
    text = client.get(villages_url(campaign), {"province": "35"}).text
    assert f'{villages_url(campaign)}?district=35.23.08">Kerek</a>' in text
    response = client.get(villages_url(campaign), {"regency": "35.23"})
    assert [row.get_cell("village") for row in response.context["table"].rows] == [
        "Socorejo",
        "Karanglo",
    ]
    assert response.context["table"].paginator.count == 2


@pytest.mark.parametrize(
    "params",
    [{"province": "99"}, {"regency": "xx"}, {"district": "35.23.12", "province": "33"},
     {"province": "35' OR 1=1"}],
)  # fmt: skip
def test_an_unknown_or_mismatched_area_narrows_nothing_and_breaks_nothing(
    client, admin_user, world, params
):
    campaign = make_campaign(world, [world.socorejo, world.karanglo, world.karanglewas])
    client.force_login(admin_user)
    response = client.get(villages_url(campaign), params)
    assert response.status_code == 200
    shown = {row.get_cell("village") for row in response.context["table"].rows}
    assert shown <= {"Socorejo", "Karanglo", "Karanglewas"}
    assert shown


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_holds_exactly_what_the_filter_shows(client, branch_staff, operator, world, fmt):
    """The downloaded rows equal the filtered, sorted table on screen."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    registered(world.socorejo, operator)
    client.force_login(branch_staff)
    params = {"district": world.jenu.pk}
    response = client.get(reverse("campaign_villages_export", args=[campaign.slug, fmt]), params)
    assert response.status_code == 200
    if fmt == "csv":
        text = io.StringIO(response.content.decode("utf-8-sig"))
        rows = list(csv.reader(text, delimiter=";"))  # as Excel in an Indonesian locale
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[str(v) if v is not None else "" for v in row] for row in sheet.values]
    assert rows[0][:3] == ["Peringkat", "Desa", "Kecamatan"]
    assert [row[1] for row in rows[1:]] == ["Socorejo"]
    assert rows[1][4:6] == ["1", "10"]


def test_the_xlsx_export_stores_numbers_as_numbers(client, branch_staff, operator, world):
    """Counts, targets and scores are numbers, the progress a number shown as a percentage;
    the CSV writes it "10%" (issue #20)."""
    campaign = make_campaign(world, [world.socorejo])
    registered(world.socorejo, operator)
    client.force_login(branch_staff)
    url = reverse("campaign_villages_export", args=[campaign.slug, "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["Terdaftar"].value == 1
    assert row["Target"].value == 10
    assert isinstance(row["Skor"].value, float)
    assert row["Capaian"].value == pytest.approx(0.1)
    assert row["Capaian"].number_format == "0%"
    url = reverse("campaign_villages_export", args=[campaign.slug, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][rows[0].index("Capaian")] == "10%"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("branch_staff", 200),
        ("other_branch_staff", 404),
        ("admin_user", 200),
        ("operator", 200),
        ("other_operator", 404),
    ],
)
def test_dashboard_scoping(client, request, world, role, status):
    """Branch staff see their area's campaigns; operators only campaigns of their village."""
    campaign = make_campaign(world, [world.socorejo])
    client.force_login(request.getfixturevalue(role))
    assert client.get(campaign.get_absolute_url()).status_code == status


def test_operators_see_the_aggregate_ranking_only(client, operator, world):
    """An operator sees the ranking, not the breakdowns, agents or exports."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    register(world.socorejo, operator)
    client.force_login(operator)
    response = client.get(campaign.get_absolute_url())
    assert "breakdowns" not in response.context
    assert "export-xlsx" not in response.text
    export = reverse("campaign_villages_export", args=[campaign.slug, "csv"])
    assert client.get(export).status_code == 403


def test_an_unknown_export_format_is_not_found(client, branch_staff, world):
    """Only csv and xlsx exist."""
    campaign = make_campaign(world, [world.socorejo])
    client.force_login(branch_staff)
    url = reverse("campaign_villages_export", args=[campaign.slug, "pdf"])
    assert client.get(url).status_code == 404


def test_the_campaign_agents_page_counts_their_recruits(client, branch_staff, operator, world):
    """Perisai agents by counted recruits, on their own page, linked from the dashboard; not
    for village operators."""
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    agent = AgentFactory(name="Sutini Perisai", villages=[world.socorejo])
    for _ in range(2):
        registered(world.socorejo, operator, agent=agent)
    registered(world.socorejo, operator, agent=agent, status="submitted")  # not counted
    client.force_login(branch_staff)
    url = reverse("campaign_agents", args=[campaign.slug])
    assert url in client.get(campaign.get_absolute_url()).text
    [row] = client.get(url).context["agents"]
    assert (row["agent__name"], row["recruits"]) == ("Sutini Perisai", 2)
    client.force_login(operator)
    assert client.get(url).status_code == 403


def test_the_dashboard_lists_the_newest_events_and_marks_each_week_once(
    client, branch_staff, operator, world
):
    """Twelve events: the ten newest listed with a link to all of them; the chart marks each
    week once, with the kind of its only event or the number of events."""
    campaign = make_campaign(world, [world.socorejo])
    monday = datetime.date(2026, 3, 2)
    for week in range(11):
        SocializationEvent.objects.create(
            campaign=campaign,
            kind="sosialisasi",
            held_on=monday + datetime.timedelta(weeks=week),
            place=f"Balai Desa {week}",
        )
    SocializationEvent.objects.create(
        campaign=campaign, kind="fgd", held_on=monday + datetime.timedelta(days=3), place="FGD"
    )
    registered(world.socorejo, operator)  # a chart to mark
    client.force_login(branch_staff)

    response = client.get(campaign.get_absolute_url())

    listed = [event.place for event in response.context["events"]]
    assert listed == [f"Balai Desa {week}" for week in range(10, 0, -1)]
    assert f"{reverse('event_list')}?campaign={campaign.slug}" in response.text
    markers = response.context["chart"].markers
    assert [(marker.day, marker.label) for marker in markers] == [
        (monday, "2 kegiatan"),
        *[(monday + datetime.timedelta(weeks=week), "Sosialisasi") for week in range(1, 11)],
    ]
    assert "02-03-2026: 2 kegiatan" in response.text
