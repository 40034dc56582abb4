"""Agreements (MoU / PKS) between BPJS Ketenagakerjaan offices and local governments, and their
signatories.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..validators import validate_pdf


class AgreementQuerySet(models.QuerySet):
    def for_user(self, user) -> AgreementQuerySet:
        """Admins see every agreement, branch staff their office's (and its pioneer offices'),
        village operators those signed with their own village."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        if user.is_branch_staff:
            office = user.branch_office
            return self.filter(Q(branch_office=office) | Q(branch_office__parent=office))
        if user.is_village_operator:
            return self.filter(counterpart_village=user.village_id)
        return self.none()

    def draft(self, on: datetime.date | None = None) -> AgreementQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(signed_on__isnull=True) | Q(valid_from__gt=on))

    def active(self, on: datetime.date | None = None) -> AgreementQuerySet:
        on = on or timezone.localdate()
        return self.filter(signed_on__isnull=False, valid_from__lte=on).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )

    def expired(self, on: datetime.date | None = None) -> AgreementQuerySet:
        on = on or timezone.localdate()
        return self.filter(signed_on__isnull=False, valid_from__lte=on, valid_until__lt=on)

    def with_status(self, status: str, on: datetime.date | None = None) -> AgreementQuerySet:
        return {
            Agreement.Status.DRAFT: self.draft,
            Agreement.Status.ACTIVE: self.active,
            Agreement.Status.EXPIRED: self.expired,
        }[status](on)


def agreement_document_path(agreement: Agreement, filename: str) -> str:
    return f"agreements/{agreement.signed_on or 'draft'}/{filename}"


class Agreement(models.Model):
    """One model for both kinds: an MoU (nota kesepahaman) sets the intent, a PKS (perjanjian
    kerja sama) the operational terms."""

    class Kind(models.TextChoices):
        MOU = "mou", _("MoU (nota kesepahaman)")
        PKS = "pks", _("PKS (perjanjian kerja sama)")

    class CounterpartKind(models.TextChoices):
        VILLAGE_GOVERNMENT = "pemdes", _("Village government (Pemdes)")
        REGENCY_GOVERNMENT = "pemkab", _("Regency / city government (Pemkab / Pemkot)")
        REGENCY_AGENCY = "dinas", _("Regency agency (e.g. Dinas PMD, Dispemas)")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind)
    number = models.CharField(_("number"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=300)
    branch_office = models.ForeignKey(
        "villages.BranchOffice",
        models.PROTECT,
        related_name="agreements",
        verbose_name=_("branch office"),
    )
    counterpart_kind = models.CharField(
        _("counterpart kind"), max_length=10, choices=CounterpartKind
    )
    counterpart_name = models.CharField(
        _("counterpart"),
        max_length=200,
        help_text=_("E.g. Pemerintah Desa Socorejo, Dinas PMD Kabupaten Gresik."),
    )
    counterpart_regency = models.ForeignKey(
        "villages.Regency",
        models.PROTECT,
        related_name="agreements",
        verbose_name=_("counterpart's regency / city"),
    )
    counterpart_village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("counterpart's village"),
        help_text=_("For an agreement with a village government."),
    )
    signed_on = models.DateField(
        _("signed on"), null=True, blank=True, help_text=_("Leave empty while still a draft.")
    )
    place = models.CharField(_("place of signing"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    document = models.FileField(
        _("document (PDF)"),
        upload_to=agreement_document_path,
        blank=True,
        validators=[validate_pdf],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-valid_from", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_until_after_valid_from",
                violation_error_message=_("'Valid until' must not be before 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(counterpart_village__isnull=True) | Q(counterpart_kind="pemdes"),
                name="agreement_village_only_for_pemdes",
                violation_error_message=_(
                    "Only an agreement with a village government names a village."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreement_detail", args=[self.pk])

    def status(self, on: datetime.date | None = None) -> Status:
        on = on or timezone.localdate()
        if self.signed_on is None or self.valid_from > on:
            return self.Status.DRAFT
        if self.valid_until is not None and self.valid_until < on:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def get_status_display(self) -> str:
        return self.status().label

    def clean(self):
        if (
            self.counterpart_village_id
            and self.counterpart_regency_id
            and not self.counterpart_village_id.startswith(self.counterpart_regency_id + ".")
        ):
            raise ValidationError(
                {"counterpart_village": _("The village is not in the counterpart's regency.")}
            )


class Signatory(models.Model):
    class Side(models.TextChoices):
        BPJS = "bpjs", _("BPJS Ketenagakerjaan")
        COUNTERPART = "counterpart", _("Counterpart")

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory")
        WITNESS = "witness", _("Witness")

    agreement = models.ForeignKey(
        Agreement, models.CASCADE, related_name="signatories", verbose_name=_("agreement")
    )
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=200)
    side = models.CharField(_("side"), max_length=12, choices=Side)
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.SIGNATORY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["agreement", "role", "order", "pk"]
        verbose_name = _("signatory or witness")
        verbose_name_plural = _("signatories and witnesses")

    def __str__(self):
        return f"{self.name} ({self.position})"
