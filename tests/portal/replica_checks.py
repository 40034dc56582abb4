"""Dashboards and exports read from the replica; everything else, and every write, from the
default database.

The "replica" alias exists only when DATABASE_REPLICA_URL is set as the settings load, so these
checks run in a pytest of their own, started by test_scaling.py with that variable pointing at
the same database: Django's TEST MIRROR makes the alias the test database itself. They are
transactional: a mirror is another connection, which sees only committed rows."""

import re

import pytest
from django.conf import settings
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign, CampaignVillage
from enrollment.models import ExportRecord, Registration
from portal.db_routers import use_replica

from ..enrollment.registering import register

pytestmark = [
    pytest.mark.skipif(
        "replica" not in settings.DATABASES, reason="needs DATABASE_REPLICA_URL (test_scaling.py)"
    ),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]


READS = ("SELECT", "DECLARE")  # DECLARE: the server-side cursor of a streamed export
WRITES = ("INSERT", "UPDATE", "DELETE")


def tables(queries, verbs=READS) -> set[str]:
    """The portal's tables named by the captured statements starting with one of `verbs`."""
    return {
        table
        for query in queries
        if query["sql"].lstrip().upper().startswith(verbs)
        for table in re.findall(r'"((?:campaigns|enrollment|villages)_[a-z_]+)"', query["sql"])
    }


@pytest.fixture
def campaign(world):
    campaign = Campaign.objects.create(
        name="Desa Sadar Replika",
        slug="desa-sadar-replika",
        branch_office=world.bojonegoro,
        starts_on="2026-01-01",
        ends_on="2026-12-31",
        default_target=10,
    )
    CampaignVillage.objects.create(campaign=campaign, village=world.socorejo)
    return campaign


def test_the_campaign_dashboard_reads_from_the_replica(client, branch_staff, operator, campaign):
    for _ in range(3):
        register(campaign.villages.get(), operator)
    client.force_login(branch_staff)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        response = client.get(campaign.get_absolute_url())
    assert response.status_code == 200
    assert "Socorejo" in response.text  # the village table, read from the replica
    assert {"campaigns_campaign", "campaigns_campaignvillage"} <= tables(replica)
    # The default database answered only for the session and the user, before the view.
    assert tables(default) == set()


def test_the_registration_export_reads_from_the_replica_and_records_on_default(
    client, operator, world
):
    registration = register(world.socorejo, operator)
    client.force_login(operator)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as default,
    ):
        response = client.get(reverse("registration_export", args=["csv"]))
    assert response.status_code == 200
    assert registration.participant.nik in response.content.decode("utf-8-sig")
    assert "enrollment_registration" in tables(replica)
    assert tables(default) == set()  # nothing of the export itself read from default
    assert "enrollment_exportrecord" in tables(default, WRITES)
    assert tables(replica, WRITES) == set()
    assert ExportRecord.objects.get().row_count == 1


def test_the_village_table_export_reads_from_the_replica(client, branch_staff, campaign):
    client.force_login(branch_staff)
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("campaign_villages_export", args=[campaign.slug, "csv"]))
    assert response.status_code == 200
    assert "Socorejo" in response.content.decode("utf-8-sig")
    assert "campaigns_campaignvillage" in tables(replica)


def test_other_pages_read_from_the_default_database(client, operator, world):
    register(world.socorejo, operator)
    client.force_login(operator)
    with CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(reverse("registration_list"))
    assert response.status_code == 200
    assert len(replica) == 0


def test_reads_inside_a_transaction_and_all_writes_go_to_the_default_database(operator, world):
    """Inside use_replica(): reads from the replica, but not in a transaction on the default
    database (it must see its own writes); writes always to default, even of an object read
    from the replica; outside the block, reads from default again."""
    register(world.socorejo, operator)
    with use_replica():
        assert router.db_for_read(Registration) == "replica"
        assert router.db_for_write(Registration) == "default"
        registration = Registration.objects.get()
        with transaction.atomic():
            assert router.db_for_read(Registration) == "default"
    assert registration._state.db == "replica"
    assert router.db_for_read(Registration, instance=registration) == "default"
    with CaptureQueriesContext(connections["replica"]) as replica:
        registration.funding_company = "PT Semen Indonesia"
        registration.save(update_fields=["funding_company"])
    assert len(replica) == 0
    assert Registration.objects.get().funding_company == "PT Semen Indonesia"
    assert not router.allow_migrate("replica", "enrollment")
