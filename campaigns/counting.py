"""Which campaigns a waiting registration will count toward once verified: the verification
queue says it, so branch staff see what each verification is worth."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from enrollment import changes
from enrollment.models import Registration

from . import tally
from .models import CampaignVillage


def campaigns_counted_toward(registrations: Iterable[Registration]) -> dict[int, list]:
    """{registration pk: [campaigns]} the registrations count toward once verified, by the one
    counting rule (tally.counts_toward); one query for all of them. The registrations' people
    must be loaded (their worker category counts)."""
    registrations = list(registrations)
    if not registrations:
        return {}
    by_village = defaultdict(list)
    for joined in CampaignVillage.objects.filter(
        village__in={registration.village_id for registration in registrations}
    ).select_related("campaign"):
        by_village[joined.village_id].append(joined.campaign)
    counted = {}
    for registration in registrations:
        fact = dataclasses.replace(
            changes.fact_of(registration), status=Registration.Status.VERIFIED
        )
        counted[registration.pk] = sorted(
            (
                campaign
                for campaign in by_village[registration.village_id]
                if tally.counts_toward(campaign, fact)
            ),
            key=lambda campaign: campaign.name,
        )
    return counted
