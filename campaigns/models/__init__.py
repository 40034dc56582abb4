"""The campaigns app's models, by what they hold: agreements and their signatories
(agreements), and campaigns with their villages, kept numbers, socialization events and benefit
claims (campaign). Everything is importable from here."""

from .agreements import Agreement, AgreementQuerySet, Signatory, agreement_document_path
from .campaign import (
    Campaign,
    CampaignArea,
    CampaignQuerySet,
    CampaignVillage,
    CampaignWeek,
    Claim,
    ClaimQuerySet,
    ScoreCriterion,
    SocializationEvent,
    SocializationEventQuerySet,
)

__all__ = [
    "Agreement",
    "AgreementQuerySet",
    "Campaign",
    "CampaignArea",
    "CampaignQuerySet",
    "CampaignVillage",
    "CampaignWeek",
    "Claim",
    "ClaimQuerySet",
    "ScoreCriterion",
    "Signatory",
    "SocializationEvent",
    "SocializationEventQuerySet",
    "agreement_document_path",
]
