"""Writes to campaigns: the campaign with its scoring criteria, and the villages taking part. Each
function is atomic; villages outside the user's area are refused, never silently skipped."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from portal import page_cache
from portal.models import User
from villages.models import District, Regency, Village

from . import tally
from .models import Campaign, CampaignVillage, Claim, ScoreCriterion

SLUG_MAX_LENGTH = Campaign._meta.get_field("slug").max_length


class OutsideArea(Exception):
    """A region or village the user may not manage (outside their office's coverage)."""

    def __init__(self, codes: Iterable[str]):
        self.codes = sorted(codes)
        super().__init__(", ".join(self.codes))


@dataclass(frozen=True)
class VillagesChanged:
    added: int = 0
    retargeted: int = 0
    removed: int = 0


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the name that no other campaign uses: "desa-sadar-2019", "desa-sadar-2019-2"."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "kampanye"
    taken = set(
        Campaign.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def campaign_save(
    *,
    campaign: Campaign,
    weights: Mapping[str, int],
    by: User,
    village_changes: Mapping[str, Any] | None = None,
) -> Campaign:
    """Save a new or changed campaign, its scoring criteria and (optionally) its villages.

    Branch staff always organise from their own office. An empty slug is made from the name.
    `weights` maps ScoreCriterion measures to weights; weight 0 removes the criterion.
    `village_changes` are campaign_villages_set's keyword arguments."""
    if by.is_branch_staff and not by.is_admin and campaign.pk is None:
        campaign.branch_office = by.branch_office
    if not campaign.slug:
        campaign.slug = unique_slug(campaign.name, exclude_pk=campaign.pk)
    campaign.save()
    for measure in ScoreCriterion.Measure.values:
        weight = weights.get(measure, 0)
        if weight > 0:
            ScoreCriterion.objects.update_or_create(
                campaign=campaign, measure=measure, defaults={"weight": weight}
            )
        else:
            ScoreCriterion.objects.filter(campaign=campaign, measure=measure).delete()
    if village_changes:
        campaign_villages_set(campaign, **village_changes, by=by)
    campaign_kelurahan_removed(campaign)
    tally.campaign_recount(campaign)
    return campaign


@transaction.atomic
def campaign_kelurahan_removed(campaign: Campaign) -> int:
    """A campaign of desa only (Campaign.desa_only) has no kelurahan: remove those taking part,
    and count the campaign again when any left. Returns how many left."""
    if not campaign.desa_only:
        return 0
    removed, _ = campaign.participations.filter(village__in=Village.objects.kelurahan()).delete()
    if removed:
        tally.campaign_recount(campaign)
    return removed


@transaction.atomic
def campaign_villages_set(
    campaign: Campaign,
    *,
    regency: Regency | None = None,
    district: District | None = None,
    villages: Iterable[Village] = (),
    targets: Mapping[str, int | None] | None = None,
    remove: Iterable[str] = (),
    by: User,
) -> VillagesChanged:
    """Change which villages take part in a campaign and their targets.

    Adds every village of `regency` and of `district`, and each of `villages` (villages already
    taking part stay as they are); a campaign of desa only adds no kelurahan. `targets` maps
    village codes to their own target (None: the campaign's target per village); those villages
    are added when missing. `remove` holds codes of villages, districts or regencies whose
    villages leave the campaign. Only villages `by` may see
    count: anything outside their area raises OutsideArea and nothing changes."""
    visible = Village.objects.for_user(by)
    targets = dict(targets or {})
    outside = set()
    for area in (regency, district):
        if area is not None and not visible.filter(code__startswith=f"{area.code}.").exists():
            outside.add(area.code)
    wanted = {village.code for village in villages} | set(targets)
    in_area = set(visible.filter(code__in=wanted).values_list("code", flat=True))
    outside |= wanted - in_area
    if outside:
        raise OutsideArea(outside)

    area_rule = Q(code__in=wanted)
    for area in (regency, district):
        if area is not None:
            area_rule |= Q(code__startswith=f"{area.code}.")
    existing = set(campaign.participations.values_list("village_id", flat=True))
    candidates = visible.filter(area_rule)
    if campaign.desa_only:
        candidates = candidates.desa()
    to_add = set(candidates.values_list("code", flat=True)) - existing
    CampaignVillage.objects.bulk_create(
        [
            CampaignVillage(campaign=campaign, village_id=code, target_override=targets.get(code))
            for code in sorted(to_add)
        ],
        ignore_conflicts=True,  # a village added meanwhile by someone else stays once
    )

    by_target: dict[int | None, list[str]] = defaultdict(list)
    for code, target in targets.items():
        if code not in to_add:
            by_target[target].append(code)
    retargeted = sum(
        campaign.participations.filter(village_id__in=codes)
        .exclude(target_override=target)
        .update(target_override=target)
        if target is not None
        else campaign.participations.filter(
            village_id__in=codes, target_override__isnull=False
        ).update(target_override=None)
        for target, codes in by_target.items()
    )

    removed = 0
    remove_rule = Q()
    for code in remove:
        remove_rule |= Q(village__code=code) | Q(village__code__startswith=f"{code}.")
    if remove_rule:
        removed, _ = (
            campaign.participations.filter(remove_rule).filter(village__in=visible).delete()
        )
    tally.campaign_recount(campaign)
    return VillagesChanged(added=len(to_add), retargeted=retargeted, removed=removed)


def rankings_snapshot(*, campaign: Campaign, on: datetime.date | None = None) -> None:
    """Remember every village's current rank, so the ranking shows who rose or fell since
    (run weekly by `manage.py snapshot_rankings`). One statement, whatever the campaign's size."""
    table = connection.ops.quote_name(CampaignVillage._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET rank_before = ranked.rank FROM ("
            f"  SELECT id, RANK() OVER (ORDER BY score DESC) AS rank FROM {table}"
            f"  WHERE campaign_id = %s"
            f") AS ranked WHERE {table}.id = ranked.id",
            [campaign.pk],
        )
        Campaign.objects.filter(pk=campaign.pk).update(ranked_on=on or timezone.localdate())
        page_cache.changed(page_cache.campaign_scope(campaign.slug))


def claim_record(*, registration, by, data: dict) -> Claim:
    """Record a benefit paid to a member (or their heirs); the pages that show the village's
    and its campaigns' benefits (cached) show it once the transaction commits."""
    from portal import page_cache

    with transaction.atomic():
        claim = Claim.objects.create(
            registration=registration, village_id=registration.village_id, recorded_by=by, **data
        )
        slugs = Campaign.objects.filter(villages=registration.village_id).values_list(
            "slug", flat=True
        )
        page_cache.changed(
            page_cache.village_scope(registration.village_id),
            *[page_cache.campaign_scope(slug) for slug in slugs],
        )
    return claim
