"""The villages' population and working-age counts: listed, edited one by one, or imported from a
spreadsheet, by admins and branch staff for their area (operators for their own village). The
counts are the campaign targets' facts; the reference data and its services are villages'."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import role_required, scoped_or_404
from portal.paging import BoundedPaginator
from portal.roles import ANY_ROLE, STAFF
from villages.models import Village
from villages.services import (
    CountsImportError,
    village_counts_check,
    village_counts_import,
    village_counts_update,
)

from .filters import VillageFilter
from .tables import VillageCountsTable
from .village_data_forms import VillageCountsForm, VillageCountsImportForm

PER_PAGE = 50
SESSION_KEY = "village_counts_import"


@role_required(*ANY_ROLE)
def village_data_list(request):
    villages = Village.objects.for_user(request.user).with_names().order_by("code")
    filterset = VillageFilter(request.GET, queryset=villages, user=request.user)
    if filterset.is_valid():  # any field refused, the list is shown unfiltered, as it was
        villages = filterset.qs
    page = BoundedPaginator(villages, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "villages/village_data_list.html",
        {
            "form": filterset.form,
            "page": page,
            "table": VillageCountsTable(list(page.object_list)),
            "can_import": request.user.is_admin_or_branch_staff,
        },
    )


@role_required(*ANY_ROLE)
def village_data_edit(request, code):
    village = scoped_or_404(Village.objects.with_names(), request.user, pk=code)
    form = VillageCountsForm(request.POST or None, instance=village)
    if request.method == "POST" and form.is_valid():
        village_counts_update(village=village, by=request.user, **form.cleaned_data)
        messages.success(
            request, _("The counts of %(village)s are saved.") % {"village": village.name}
        )
        return redirect("village_data_list")
    return render(request, "villages/village_data_edit.html", {"form": form, "village": village})


@role_required(*STAFF)
def village_data_import(request):
    """Upload a file: every row is checked and the changes shown; nothing is saved before the
    user confirms, and nothing at all while any row has an error."""
    if request.method == "POST" and "confirm" in request.POST:
        rows = request.session.get(SESSION_KEY)
        if not rows:
            messages.error(request, _("Nothing to save: upload the file again."))
            return redirect("village_data_import")
        try:
            changed = village_counts_import(rows=rows, by=request.user)
        except CountsImportError as error:
            request.session.pop(SESSION_KEY, None)
            form = VillageCountsImportForm()
            return _upload_page(request, form, errors=error.errors)
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            ngettext(
                "The counts of %(count)s village are saved.",
                "The counts of %(count)s villages are saved.",
                len(changed),
            )
            % {"count": len(changed)},
        )
        return redirect("village_data_list")

    form = VillageCountsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        check = village_counts_check(rows=form.rows, by=request.user)
        if check.errors:
            request.session.pop(SESSION_KEY, None)
            return _upload_page(request, VillageCountsImportForm(), errors=check.errors)
        request.session[SESSION_KEY] = form.rows
        changes = [change for change in check.changes if change.changed]
        return render(
            request,
            "villages/village_data_import_preview.html",
            {
                "changes": changes,
                "unchanged": len(check.changes) - len(changes),
                "file_name": form.cleaned_data["file"].name,
            },
        )
    return _upload_page(request, form)


def _upload_page(request, form, errors=()):
    return render(
        request, "villages/village_data_import.html", {"form": form, "errors": list(errors)}
    )
