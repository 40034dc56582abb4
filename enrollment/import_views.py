"""Importing residents from a spreadsheet: upload, a preview checked row by row, confirmation."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from portal.access import role_required, scoped_or_404
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.roles import ANY_ROLE
from portal.spreadsheets import attachment
from portal.translated import in_reader_language
from villages.models import Village

from . import import_services, importing, services, tasks
from .models import FundingSource, ImportBatch, ImportRow
from .tables import RecentFilesTable

# With a task worker (enrollment.tasks) the upload returns at once and the worker checks the
# file. Without one, the upload request checks the first rows itself and a large file carries
# on, a step per page load; either way the page reloads itself while it shows the progress.
FIRST_STEP_SECONDS = 2.0
STEP_SECONDS = 3.0
ROWS_SHOWN = 200


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        allow_empty_file=True,  # refused by the importer, with its own message
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    # The registration form's default payer; a file with its own Sumber Dana column keeps it.
    funding_source = forms.ChoiceField(
        label=gettext_lazy("Premium paid by, when the file has no Sumber Dana column"),
        choices=FundingSource.choices,
        initial=FundingSource.choices[0][0],
        required=False,
    )


def scoped_batch(request, pk) -> ImportBatch:
    return scoped_or_404(ImportBatch.objects, request.user, pk=pk)


@role_required(*ANY_ROLE)
def registration_import(request):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if form.is_bound and form.is_valid():
        try:
            batch = import_services.import_batch_start(
                upload=form.cleaned_data["file"],
                by=request.user,
                default_funding_source=form.cleaned_data["funding_source"],
            )
        except importing.ImportRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            audit_record(request=request, action=AuditEvent.Action.CHECK_NIKS, obj=batch,
                         village=batch.village, rows=batch.rows_estimated)  # fmt: skip
            if tasks.import_check_enqueue(request, batch):
                return redirect(batch)
            batch = import_services.import_batch_check(batch=batch, seconds=FIRST_STEP_SECONDS)
            if batch.status != ImportBatch.Status.REFUSED:
                return redirect(batch)
            form.add_error("file", in_reader_language(batch.refusal))
    village = None
    if request.user.is_village_operator:
        village = Village.objects.filter(pk=request.user.village_id).first()
    return render(
        request,
        "enrollment/import_upload.html",
        {
            "form": form,
            "village": village,
            "village_column": not request.user.is_village_operator,
            "max_size": filesizeformat(importing.max_bytes()),
            "max_rows": importing.max_rows(),
            "recent": RecentFilesTable(list(ImportBatch.objects.for_user(request.user)[:10])),
        },
    )


@role_required(*ANY_ROLE)
def registration_import_template(request, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    example = Village.objects.for_user(request.user).order_by("code").first()
    content = importing.template_file(
        fmt,
        example_village=example.code if example else None,
        village_column=not request.user.is_village_operator,
    )
    return attachment(content, fmt, f"templat-pendaftaran.{fmt}")


@role_required(*ANY_ROLE)
def registration_import_preview(request, pk):
    batch = scoped_batch(request, pk)
    if batch.status == ImportBatch.Status.CHECKING and not tasks.worker_on_it(request, batch):
        batch = import_services.import_batch_check(batch=batch, seconds=STEP_SECONDS)
    rows = batch.rows.order_by("number")
    context = {"batch": batch, "rows_shown": ROWS_SHOWN}
    if batch.status == ImportBatch.Status.CHECKING and batch.rows_estimated:
        context["percent"] = min(99, 100 * batch.rows_checked // batch.rows_estimated)
    if batch.status in (ImportBatch.Status.CHECKED, ImportBatch.Status.SAVED):
        new_rows = list(rows.filter(status=ImportRow.Status.NEW)[:20])
        names = dict(
            Village.objects.filter(
                pk__in={row.data.get("village") for row in new_rows}
            ).values_list("pk", "name")
        )
        for row in new_rows:
            row.village_name = names.get(row.data.get("village"), "")
        default_payer = batch.layout.get("defaults", {}).get("funding_source")
        context.update(
            errors=rows.filter(status=ImportRow.Status.ERROR)[:ROWS_SHOWN],
            warned=rows.filter(status=ImportRow.Status.NEW).exclude(warnings=[])[:ROWS_SHOWN],
            new_rows=new_rows,
            existing=rows.filter(status=ImportRow.Status.EXISTING)[:ROWS_SHOWN],
            meanwhile=rows.filter(status=ImportRow.Status.MEANWHILE)[:ROWS_SHOWN],
            ignored=batch.layout.get("ignored", []),
            default_payer=FundingSource(default_payer).label if default_payer else "",
        )
    return render(request, "enrollment/import_preview.html", context)


@require_POST
@role_required(*ANY_ROLE)
def registration_import_confirm(request, pk):
    batch = scoped_batch(request, pk)
    try:
        batch = import_services.registrations_import(batch=batch, by=request.user)
    except services.WrongStatus:
        messages.error(request, _("This import is not waiting for confirmation."))
    except ValidationError:
        # The contribution rates changed since the check and an income is now out of range.
        messages.error(
            request, _("The contribution rates changed since the check. Upload the file again.")
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d registration saved.",
                "%(count)d registrations saved.",
                batch.created_count,
            )
            % {"count": batch.created_count},
        )
        if batch.meanwhile_count:
            messages.warning(
                request,
                ngettext(
                    "%(count)d NIK was registered by someone else since the check; it was not "
                    "saved again.",
                    "%(count)d NIKs were registered by someone else since the check; they were "
                    "not saved again.",
                    batch.meanwhile_count,
                )
                % {"count": batch.meanwhile_count},
            )
    return redirect(batch)


@role_required(*ANY_ROLE)
def registration_import_errors(request, pk):
    """The rejected rows as uploaded, with a column saying what is wrong: fix, upload again."""
    batch = scoped_batch(request, pk)
    if not batch.error_count or not batch.file:
        raise Http404
    errors = {
        number: "; ".join(
            f"{column}: {in_reader_language(message)}" if column else in_reader_language(message)
            for column, message in row
        )
        for number, row in batch.rows.filter(status=ImportRow.Status.ERROR).values_list(
            "number", "errors"
        )
    }
    layout = importing.Layout.from_json(batch.layout)
    try:
        with batch.file.open("rb") as file:
            content = importing.error_file(file, layout, errors)
    except importing.ImportRefused as refusal:  # a file stored before today's bounds
        messages.error(request, refusal.message)
        return redirect(batch)
    stem = batch.original_name.rsplit(".", 1)[0]
    return attachment(content, layout.file_format, f"{stem}-kesalahan.{layout.file_format}")
