"""Factories for campaigns, the villages taking part and socialization events."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from campaigns import tally
from campaigns.models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent

from ..factories import BranchOfficeFactory, VillageFactory


class CampaignFactory(DjangoModelFactory):
    """A custom campaign running from 60 days ago for a year, with a target of 100 per village;
    pass `villages=[...]` to make them take part."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Kampanye Uji {n}")
    slug = factory.Sequence(lambda n: f"kampanye-uji-{n}")
    branch_office = factory.SubFactory(BranchOfficeFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=365))
    default_target = 100

    @factory.post_generation
    def villages(obj, create, extracted, **kwargs):
        if create and extracted:
            CampaignVillage.objects.bulk_create(
                CampaignVillage(campaign=obj, village=village) for village in extracted
            )
        if create:
            tally.campaign_recount(obj)
            obj.refresh_from_db()


class CampaignVillageFactory(DjangoModelFactory):
    class Meta:
        model = CampaignVillage

    campaign = factory.SubFactory(CampaignFactory)
    village = factory.SubFactory(VillageFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created = super()._create(model_class, *args, **kwargs)
        tally.campaign_recount(created.campaign)
        return created


class ScoreCriterionFactory(DjangoModelFactory):
    class Meta:
        model = ScoreCriterion

    campaign = factory.SubFactory(CampaignFactory)
    measure = ScoreCriterion.Measure.TARGET
    weight = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        created = super()._create(model_class, *args, **kwargs)
        tally.campaign_recount(created.campaign)
        return created


class SocializationEventFactory(DjangoModelFactory):
    class Meta:
        model = SocializationEvent

    kind = SocializationEvent.Kind.SOCIALIZATION
    held_on = datetime.date(2026, 3, 1)
    place = factory.Sequence(lambda n: f"Balai desa {n}")
    village = factory.SubFactory(VillageFactory)
    district = factory.SelfAttribute("village.district")
    attendees = 70
