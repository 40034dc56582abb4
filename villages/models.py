"""Indonesia's administrative regions (Kemendagri codes) and the BPJS Ketenagakerjaan offices
that cover them."""

from __future__ import annotations

import datetime
from functools import cache

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name


class RegencyQuerySet(models.QuerySet):
    def covered_by(self, office_id: int, on: datetime.date | None = None) -> RegencyQuerySet:
        """Regencies the office, or an office under it, covers on the given day (today)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(coverages__branch_office=office_id) | Q(coverages__branch_office__parent=office_id),
            Q(coverages__valid_until__isnull=True) | Q(coverages__valid_until__gte=on),
            coverages__valid_from__lte=on,
        ).distinct()


class Regency(models.Model):
    """A kabupaten (regency, codes 01–69) or kota (city, codes 71–99)."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="regencies", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=100)

    objects = RegencyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("regency / city")
        verbose_name_plural = _("regencies / cities")

    def __str__(self):
        return self.name

    @property
    def is_city(self) -> bool:
        return int(self.code[-2:]) >= 71


class District(models.Model):
    """A kecamatan."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    regency = models.ForeignKey(
        Regency, models.PROTECT, related_name="districts", verbose_name=_("regency / city")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


# The last code part of a kelurahan starts with 1 ("35.25.10.1001"); of a desa with 2 or 3.
KELURAHAN_CODE = r"\.1[0-9]*$"


class VillageQuerySet(models.QuerySet):
    def for_user(self, user) -> VillageQuerySet:
        """The villages whose data `user` may see: all for admins, the coverage area of a branch
        staff member's office, a village operator's own village, nothing for anyone else.

        Every queryset of personal data is scoped through this one rule."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        if user.is_branch_staff:
            return self.filter(
                district__regency__in=Regency.objects.covered_by(user.branch_office_id)
            )
        if user.is_village_operator:
            return self.filter(pk=user.village_id)
        return self.none()

    def scoped(self, queryset: models.QuerySet, user, *, through: str = "village"):
        """`queryset` narrowed to the rows whose `through` village `user` may see (for_user's
        rule); left whole when they may see every village, so that an admin's national queue
        or list does not join all 83,762 villages."""
        villages = self.for_user(user)
        if not villages.query.has_filters():
            return queryset
        return queryset.filter(**{f"{through}__in": villages})

    def with_names(self) -> VillageQuerySet:
        return self.select_related("district__regency__province")

    def kelurahan(self) -> VillageQuerySet:
        """Kelurahan (last code part starting with 1): no Dana Desa, no ADD."""
        return self.filter(code__regex=KELURAHAN_CODE)

    def desa(self) -> VillageQuerySet:
        """Desa, desa adat included (last code part starting with 2 or 3)."""
        return self.exclude(code__regex=KELURAHAN_CODE)


class Village(models.Model):
    """A desa (fourth code part starting with 2) or kelurahan (starting with 1)."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="villages", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    working_age_population = models.PositiveIntegerField(
        _("working-age population"), null=True, blank=True
    )
    official_count = models.PositiveSmallIntegerField(
        _("village officials (perangkat desa)"), null=True, blank=True
    )

    objects = VillageQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.CheckConstraint(
                condition=Q(working_age_population__isnull=True)
                | Q(population__isnull=True)
                | Q(working_age_population__lte=models.F("population")),
                name="village_working_age_within_population",
                violation_error_message=_(
                    "The working-age population cannot exceed the population."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_kelurahan(self) -> bool:
        return self.code.rsplit(".", 1)[-1].startswith("1")

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def full_name(self) -> str:
        """ "Socorejo, Jenu, Kabupaten Tuban" (needs `with_names()` to avoid extra queries)."""
        return f"{self.name}, {self.district.name}, {self.district.regency.name}"


class BranchOffice(models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Regional office (Kanwil)")
        BRANCH = "branch", _("Branch office (KC)")
        PIONEER = "pioneer", _("Pioneer branch office (KCP)")

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.BRANCH)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent office"),
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    regencies = models.ManyToManyField(
        Regency, through="Coverage", related_name="branch_offices", verbose_name=_("coverage")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch office")
        verbose_name_plural = _("branch offices")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="branch_office_not_own_parent",
            ),
        ]

    def __str__(self):
        return self.name

    def covered_regencies(self, on: datetime.date | None = None) -> models.QuerySet[Regency]:
        """Regencies this office, or an office under it, covers on the given day (today)."""
        return Regency.objects.covered_by(self.pk, on)


class Coverage(models.Model):
    """A branch office covers a regency from one date until another: coverage changes over time."""

    branch_office = models.ForeignKey(
        BranchOffice, models.CASCADE, related_name="coverages", verbose_name=_("branch office")
    )
    regency = models.ForeignKey(
        Regency, models.PROTECT, related_name="coverages", verbose_name=_("regency / city")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["branch_office", "regency", "valid_from"]
        verbose_name = _("coverage")
        verbose_name_plural = _("coverage")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="coverage_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["branch_office", "regency", "valid_from"], name="coverage_unique_start"
            ),
        ]

    def __str__(self):
        until = self.valid_until or "…"
        return f"{self.branch_office} → {self.regency} ({self.valid_from} – {until})"


@cache
def area_names(level: str) -> dict[str, str]:
    """Every province's, regency's or district's name by code ("province", "regency",
    "district"), read once per process: reference data that only `load_regions` changes (it
    clears this), asked for by every campaign dashboard."""
    model = {"province": Province, "regency": Regency, "district": District}[level]
    return dict(model.objects.values_list("code", "name"))
