"""Uploading the contributions paid: branch staff upload BPJS's monthly list (or the portal's
template), see what it would record, and save it all at once."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from portal.access import role_required, scoped_or_404
from portal.roles import STAFF
from portal.spreadsheets import attachment
from sheets.writing import SheetWriter

from . import importing, payment_rows, payments
from .models import PaymentUpload
from .tables import RecentFilesTable


class PaymentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        allow_empty_file=True,  # refused by the reader, with its own message
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def scoped_upload(request, pk) -> PaymentUpload:
    return scoped_or_404(PaymentUpload.objects, request.user, pk=pk)


@role_required(*STAFF)
def payment_upload(request):
    form = PaymentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = payments.payment_upload_create(
                upload=form.cleaned_data["file"], by=request.user
            )
        except importing.ImportRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            return redirect(upload)
    return render(
        request,
        "enrollment/payment_upload.html",
        {
            "form": form,
            "max_size": filesizeformat(importing.max_bytes()),
            "max_rows": payments.max_rows(),
            "recent": RecentFilesTable(list(PaymentUpload.objects.for_user(request.user)[:10])),
        },
    )


@role_required(*STAFF)
def payment_upload_template(request, fmt):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    writer = SheetWriter(fmt, text_columns=[0, 1, 4], title="Iuran")
    writer.header(list(payment_rows.HEADERS.values()), widths=[16, 14, 14, 16, 20])
    return attachment(writer.close(), fmt, f"templat-iuran.{fmt}")


@role_required(*STAFF)
def payment_upload_preview(request, pk):
    upload = scoped_upload(request, pk)
    return render(request, "enrollment/payment_preview.html", {"upload": upload})


@require_POST
@role_required(*STAFF)
def payment_upload_confirm(request, pk):
    upload = scoped_upload(request, pk)
    try:
        upload = payments.payments_import(upload=upload, by=request.user)
    except payments.NotSaved as reason:
        if str(reason) == "errors":
            messages.error(request, _("Rows have errors: nothing was saved. Fix them first."))
        else:
            messages.error(request, _("This upload is not waiting for confirmation."))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d payment recorded.", "%(count)d payments recorded.", upload.saved_count
            )
            % {"count": upload.saved_count},
        )
    return redirect(upload)


@role_required(*STAFF)
def payment_upload_errors(request, pk):
    """The rows with errors as uploaded, with a column saying what is wrong: fix, upload again."""
    upload = scoped_upload(request, pk)
    if not upload.error_count or not upload.file:
        raise Http404
    layout = importing.Layout.from_json(upload.layout)
    with upload.file.open("rb") as file:
        checked = payments.check_file(file, layout, user=request.user)
        content = importing.error_file(file, layout, checked.errors)
    stem = upload.original_name.rsplit(".", 1)[0]
    return attachment(content, layout.file_format, f"{stem}-kesalahan.{layout.file_format}")
