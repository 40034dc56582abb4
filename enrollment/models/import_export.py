"""The registration lists uploaded (a batch and its rows, checked before they are saved) and the
record of every export of personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Village

from ..nik import mask_nik


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user) -> ImportBatchQuerySet:
        """A batch holds a whole uploaded file of personal data: only the user who uploaded it
        sees it (their village or area was checked row by row)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    """An uploaded spreadsheet of residents: checked row by row (in steps, so a large file shows
    its progress and a reload carries on), previewed, then saved all at once."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Refused")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        help_text=_("Empty when the file names each row's village (branch staff, admins)."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=Format)
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CHECKING)
    # In every language, {"id": ..., "en": ...} (portal.translated); "" when not refused.
    refusal = models.JSONField(_("reason for refusal"), default=str, blank=True)
    rows_estimated = models.PositiveIntegerField(_("rows (estimate)"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("last row read"), default=0)
    new_count = models.PositiveIntegerField(_("rows to create"), default=0)
    existing_count = models.PositiveIntegerField(_("rows already registered"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("registrations created"), default=0)
    meanwhile_count = models.PositiveIntegerField(_("registered meanwhile"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("saved at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d-%m-%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("registration_import_preview", args=[self.pk])

    @property
    def rows_checked(self) -> int:
        return self.new_count + self.existing_count + self.error_count


class ImportRow(models.Model):
    """One checked row of an import: what the form made of it, or why it cannot be saved."""

    class Status(models.TextChoices):
        NEW = "new", _("To create")
        EXISTING = "existing", _("Already registered")
        ERROR = "error", _("Error")
        MEANWHILE = "meanwhile", _("Registered meanwhile")

    batch = models.ForeignKey(
        ImportBatch,
        models.CASCADE,
        related_name="rows",
        verbose_name=_("import"),
        db_index=False,  # the unique (batch, number) index serves
    )
    number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=10, choices=Status)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_row_unique_number"),
        ]
        indexes = [
            models.Index(fields=["batch", "status", "number"]),
            models.Index(fields=["batch", "nik"]),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


class ExportRecord(models.Model):
    """Who took which personal data out of the portal, when, and how much of it."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"
        BPJS = "bpjs", _("BPJS Ketenagakerjaan layout (.xlsx)")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    dataset = models.CharField(_("data"), max_length=40, default="registrations")
    file_format = models.CharField(_("format"), max_length=4, choices=Format)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("export of personal data")
        verbose_name_plural = _("exports of personal data")

    def __str__(self):
        return f"{self.by} {self.at:%d-%m-%Y %H:%M} {self.dataset} ({self.row_count})"
