"""Residents read from a village's OpenSID export, kept as candidates between requests: the
operator uploads once, then filters, ticks and registers them in as many steps as needed."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Participant, WorkerCategory
from enrollment.nik import mask_nik
from villages.models import Village

from . import residents


class ResidentUploadQuerySet(models.QuerySet):
    def for_user(self, user) -> ResidentUploadQuerySet:
        """Uploads of the villages the user may see (villages' one scoping rule): an operator's
        upload is seen by the branch staff of the area too, never outside it."""
        return self.filter(village__in=Village.objects.for_user(user))


class ResidentUpload(models.Model):
    """One OpenSID resident export, read when uploaded (the file itself is not kept)."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    original_name = models.CharField(_("file name"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    rows_read = models.PositiveIntegerField(_("residents in the file"))
    left_out = models.JSONField(
        _("left out"),
        default=dict,
        blank=True,
        help_text=_("Residents not listed, counted by reason (not living here, age)."),
    )
    ignored_columns = models.JSONField(_("columns not used"), default=list, blank=True)

    objects = ResidentUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("OpenSID resident export")
        verbose_name_plural = _("OpenSID resident exports")

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d-%m-%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("opensid_candidates", args=[self.pk])


class ResidentCandidateQuerySet(models.QuerySet):
    def for_user(self, user) -> ResidentCandidateQuerySet:
        """Candidates of uploads the user may see (through the village of the upload)."""
        return self.filter(upload__village__in=Village.objects.for_user(user))

    def with_registered(self) -> ResidentCandidateQuerySet:
        """Annotate `registered`: the NIK is registered already, in any village, by any way."""
        return self.annotate(registered=Exists(Participant.objects.filter(nik=OuterRef("nik"))))

    def offered(self) -> ResidentCandidateQuerySet:
        """Those who can be registered now: eligible, and their NIK not registered anywhere."""
        return self.filter(standing=residents.Standing.OFFERED).exclude(
            Exists(Participant.objects.filter(nik=OuterRef("nik")))
        )

    def aged(
        self, *, at_least: int | None, at_most: int | None, today: datetime.date
    ) -> ResidentCandidateQuerySet:
        """Aged from `at_least` to `at_most` years (either may be None) on `today`."""
        queryset = self
        if at_least is not None:
            queryset = queryset.filter(birth_date__lte=_years_before(today, at_least))
        if at_most is not None:
            born_after = _years_before(today, at_most + 1)
            queryset = queryset.filter(birth_date__gt=born_after)
        return queryset


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class ResidentCandidate(models.Model):
    """A resident of an upload who is shown: offered for registration, or not eligible with the
    reason. Residents no longer living in the village or outside the working ages are only
    counted on the upload, never stored."""

    class Standing(models.TextChoices):
        OFFERED = residents.Standing.OFFERED, _("Can be registered")
        TEMPORARY_NIK = residents.Standing.TEMPORARY_NIK, _("Temporary NIK")
        INVALID_NIK = residents.Standing.INVALID_NIK, _("NIK not valid")
        NO_NAME = residents.Standing.NO_NAME, _("No name")

    upload = models.ForeignKey(
        ResidentUpload, models.CASCADE, related_name="candidates", verbose_name=_("upload")
    )
    row = models.PositiveIntegerField(_("row"))
    nik = models.CharField(_("NIK"), max_length=40, blank=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Participant.Sex, blank=True)
    birth_place = models.CharField(_("birthplace"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    dusun = models.CharField(_("dusun"), max_length=50, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    occupation_code = models.PositiveSmallIntegerField(_("occupation code"), null=True, blank=True)
    suggested_category = models.CharField(
        _("suggested worker category"), max_length=10, choices=WorkerCategory, blank=True
    )
    standing = models.CharField(_("standing"), max_length=16, choices=Standing)
    # Both in every language, {"id": ..., "en": ...} (portal.translated); "" when there is none.
    reason = models.JSONField(_("why not eligible"), default=str, blank=True)
    duplicate_note = models.JSONField(_("possible duplicate"), default=str, blank=True)

    objects = ResidentCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["upload", "row"]
        verbose_name = _("OpenSID resident")
        verbose_name_plural = _("OpenSID residents")
        constraints = [
            models.UniqueConstraint(fields=["upload", "row"], name="resident_candidate_row_once"),
        ]
        indexes = [models.Index(fields=["upload", "standing", "row"])]

    def __str__(self):
        return f"{self.full_name} ({self.masked_nik})"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik) if len(self.nik) == 16 else self.nik

    @property
    def occupation(self) -> str:
        found = residents.occupations().get(self.occupation_code)
        return found.name.title() if found else ""

    @property
    def possible_duplicate(self) -> bool:
        return bool(self.duplicate_note)

    def age(self, today: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        today = today or timezone.localdate()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
