"""The enrollment app's models, by what they hold: the rates that price registrations (rates),
participants and their registrations (registrations), the Perisai agents (agents), the lists
imported and the exports recorded (import_export), the payments and the lapse rule (payments);
the choices of their fields are enrollment.choices'. Everything is importable from here."""

from ..choices import FundingSource, OccupationGroup, WorkerCategory
from .agents import Agent, AgentQuerySet, CommissionRule
from .import_export import ExportRecord, ImportBatch, ImportBatchQuerySet, ImportRow
from .payments import LapseRule, Payment, PaymentUpload
from .rates import (
    AgeLimit,
    AgeLimitQuerySet,
    ContributionDiscount,
    ContributionRate,
    ContributionRateQuerySet,
    InForceQuerySet,
    RateScheme,
)
from .registrations import (
    LAPSING_WITHIN_DAYS,
    FollowUp,
    FundedPeriod,
    FundedPeriodQuerySet,
    Participant,
    ParticipantQuerySet,
    Registration,
    RegistrationEvent,
    RegistrationQuerySet,
)

__all__ = [
    "LAPSING_WITHIN_DAYS",
    "AgeLimit",
    "AgeLimitQuerySet",
    "Agent",
    "AgentQuerySet",
    "CommissionRule",
    "ContributionDiscount",
    "ContributionRate",
    "ContributionRateQuerySet",
    "ExportRecord",
    "FollowUp",
    "FundedPeriod",
    "FundedPeriodQuerySet",
    "FundingSource",
    "ImportBatch",
    "ImportBatchQuerySet",
    "ImportRow",
    "InForceQuerySet",
    "LapseRule",
    "OccupationGroup",
    "Participant",
    "ParticipantQuerySet",
    "Payment",
    "PaymentUpload",
    "RateScheme",
    "Registration",
    "RegistrationEvent",
    "RegistrationQuerySet",
    "WorkerCategory",
]
