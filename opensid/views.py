"""OpenSID pages: upload a village's resident export, pick residents and register them, and
download the enrolled members as an OpenSID aid-programme file."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaigns.models import Campaign
from campaigns.progress import counted_registrations
from enrollment import import_services
from enrollment import services as enrollment_services
from enrollment.models import ExportRecord, FundingSource, ImportBatch, ImportRow, Participant
from portal.access import role_required, scoped_or_404
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.roles import ANY_ROLE
from portal.spreadsheets import attachment
from portal.translated import in_reader_language
from sheets import reading
from villages.models import Village

from . import demo, programme, residents, services
from .forms import BatchForm, CandidateFilterForm, UploadForm
from .models import ResidentCandidate, ResidentUpload
from .tables import RecentResidentFilesTable

PER_PAGE = 100
FILTERS = ("show", "dusun", "rw", "rt", "occupation", "age_min", "age_max", "q")


def scoped_upload(request, pk) -> ResidentUpload:
    return scoped_or_404(ResidentUpload.objects.select_related("village"), request.user, pk=pk)


@role_required(*ANY_ROLE)
def resident_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        village = form.village_for_upload()
        try:
            upload = services.resident_upload_create(
                file=file, name=file.name, size=file.size, village=village, by=request.user
            )
        except reading.ImportRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            audit_record(
                request=request,
                action=AuditEvent.Action.IMPORT,
                obj=upload,
                village=village,
                source="opensid",
                residents=upload.rows_read,
            )
            return redirect(upload)
    village = None
    if request.user.is_village_operator:
        village = Village.objects.filter(pk=request.user.village_id).first()
    return render(
        request,
        "opensid/upload.html",
        {
            "form": form,
            "village": village,
            "demo": settings.DEBUG,
            "recent": RecentResidentFilesTable(
                list(ResidentUpload.objects.for_user(request.user).select_related("village")[:10])
            ),
            "exports": _programme_links(request.user, village) if village else [],
        },
    )


@role_required(*ANY_ROLE)
def resident_demo_export(request):
    """The demo export of Socorejo, offered only in demo mode (DEBUG)."""
    if not settings.DEBUG:
        raise Http404
    return attachment(demo.resident_export(), "xlsx", "contoh-ekspor-opensid-socorejo.xlsx")


def _filtered(upload: ResidentUpload, form: CandidateFilterForm):
    """The upload's residents the filters select (offered ones unless "everyone" is asked)."""
    candidates = upload.candidates.all()
    if form.is_bound and not form.is_valid():
        return candidates.none()
    data = form.cleaned_data if form.is_bound else {}
    if data.get("show") != CandidateFilterForm.SHOW_ALL:
        candidates = candidates.offered()
    for name in ("dusun", "rw", "rt"):
        if data.get(name):
            candidates = candidates.filter(**{name: data[name]})
    if data.get("occupation") is not None:
        candidates = candidates.filter(occupation_code=data["occupation"])
    if data.get("age_min") is not None or data.get("age_max") is not None:
        candidates = candidates.aged(
            at_least=data.get("age_min"), at_most=data.get("age_max"), today=timezone.localdate()
        )
    if data.get("q"):
        candidates = candidates.filter(full_name__icontains=data["q"].strip())
    return candidates.order_by("row")


def _filter_items(form: CandidateFilterForm) -> list[tuple[str, str]]:
    """The filters in force, as (name, value) pairs to carry into links and the register form."""
    if not form.is_bound or not form.is_valid():
        return []
    return [
        (name, str(value))
        for name in FILTERS
        if (value := form.cleaned_data.get(name)) not in (None, "")
    ]


def _candidates_page(request, upload, filters, batch_form, status=200):
    candidates = _filtered(upload, filters).with_registered()
    page = Paginator(candidates, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "opensid/candidates.html",
        {
            "upload": upload,
            "filters": filters,
            "filter_items": _filter_items(filters),
            "batch_form": batch_form,
            "page": page,
            "summary": _summary(upload),
            "ages": services.working_age(),
            "exports": _programme_links(request.user, upload.village),
            "max_rows": reading.max_rows(),
        },
        status=status,
    )


def _summary(upload: ResidentUpload) -> dict[str, int]:
    """How many residents of the file are offered, registered already, shown as not eligible,
    or left out (not living in the village, outside the working ages)."""
    standing = ResidentCandidate.Standing
    registered = Exists(Participant.objects.filter(nik=OuterRef("nik")))
    summary = upload.candidates.aggregate(
        offered=Count("pk", filter=Q(standing=standing.OFFERED) & ~Q(registered)),
        registered=Count("pk", filter=Q(registered)),
        not_eligible=Count("pk", filter=~Q(standing=standing.OFFERED)),
    )
    summary["not_living"] = upload.left_out.get(residents.Standing.NOT_LIVING, 0)
    summary["age"] = upload.left_out.get(residents.Standing.AGE, 0)
    return summary


@role_required(*ANY_ROLE)
def resident_candidates(request, pk):
    upload = scoped_upload(request, pk)
    filters = CandidateFilterForm(request.GET or None, candidates=upload.candidates.all())
    batch_form = BatchForm(initial=BatchForm.initial_for(upload.village), village=upload.village)
    return _candidates_page(request, upload, filters, batch_form)


@require_POST
@role_required(*ANY_ROLE)
def resident_register(request, pk):
    """Register the ticked residents (or every offered one the filters select) in one step:
    checked by the spreadsheet import's checks, saved by its all-or-nothing bulk save. A batch
    with errors or possible duplicates is shown first; otherwise it is saved at once."""
    upload = scoped_upload(request, pk)
    filters = CandidateFilterForm(request.POST, candidates=upload.candidates.all())
    batch_form = BatchForm(request.POST, village=upload.village)
    if not batch_form.is_valid():
        return _candidates_page(request, upload, filters, batch_form)
    if request.POST.get("all_shown") == "1":
        chosen = _filtered(upload, filters).offered()
    else:
        ticked = [value for value in request.POST.getlist("candidate") if value.isdigit()]
        chosen = upload.candidates.offered().filter(pk__in=ticked).order_by("row")
    count = chosen.count()
    if not count:
        batch_form.add_error(None, _("Tick at least one resident who can be registered."))
        return _candidates_page(request, upload, filters, batch_form)
    if count > reading.max_rows():
        batch_form.add_error(None, reading.too_many_rows().message)
        return _candidates_page(request, upload, filters, batch_form)
    batch = services.candidates_check(
        upload=upload,
        candidates=chosen,
        by=request.user,
        category=batch_form.cleaned_data["category"],
        batch=batch_form.cleaned_data,
    )
    back = reverse("opensid_candidates", args=[upload.pk])
    if items := _filter_items(filters):
        back += f"?{urlencode(items)}"
    if batch.status == ImportBatch.Status.REFUSED:
        messages.error(request, in_reader_language(batch.refusal))
        return redirect(back)
    if batch.error_count or chosen.exclude(duplicate_note="").exists() or not batch.new_count:
        return redirect("opensid_batch", upload.pk, batch.pk)
    _save(request, batch)
    return redirect(back)


def _save(request, batch: ImportBatch) -> None:
    try:
        batch = import_services.registrations_import(batch=batch, by=request.user)
    except enrollment_services.WrongStatus:
        messages.error(request, _("These residents were saved already."))
        return
    except ValidationError:
        messages.error(
            request, _("The contribution rates changed since the check. Register them again.")
        )
        return
    messages.success(
        request,
        ngettext(
            "%(count)d resident registered.", "%(count)d residents registered.", batch.created_count
        )
        % {"count": batch.created_count},
    )
    if batch.meanwhile_count:
        messages.warning(
            request,
            ngettext(
                "%(count)d NIK was registered by someone else meanwhile; it was not saved again.",
                "%(count)d NIKs were registered by someone else meanwhile; they were not saved "
                "again.",
                batch.meanwhile_count,
            )
            % {"count": batch.meanwhile_count},
        )


def _scoped_batch(request, upload: ResidentUpload, batch_pk) -> ImportBatch:
    batches = ImportBatch.objects.filter(village=upload.village)
    return scoped_or_404(batches, request.user, pk=batch_pk)


@role_required(*ANY_ROLE)
def resident_batch(request, pk, batch_pk):
    """A checked batch before it is saved: rows with errors (grouped by message) and possible
    duplicates to look at."""
    upload = scoped_upload(request, pk)
    batch = _scoped_batch(request, upload, batch_pk)
    rows = list(batch.rows.order_by("number").values_list("number", "status", "errors"))
    candidates = {
        candidate.row: candidate
        for candidate in upload.candidates.filter(row__in=[number for number, *_ in rows])
    }
    errors = defaultdict(list)
    for number, status, row_errors in rows:
        if status == ImportRow.Status.ERROR:
            for column, stored in row_errors:
                message = in_reader_language(stored)
                key = f"{column}: {message}" if column else message
                errors[key].append(candidates.get(number))
    new_rows = {number for number, status, _errors in rows if status == ImportRow.Status.NEW}
    duplicates = [
        candidate
        for number, candidate in sorted(candidates.items())
        if number in new_rows and candidate.possible_duplicate
    ]
    return render(
        request,
        "opensid/batch.html",
        {
            "upload": upload,
            "batch": batch,
            "errors": sorted(errors.items(), key=lambda item: -len(item[1])),
            "duplicates": duplicates,
        },
    )


@require_POST
@role_required(*ANY_ROLE)
def resident_batch_confirm(request, pk, batch_pk):
    upload = scoped_upload(request, pk)
    batch = _scoped_batch(request, upload, batch_pk)
    _save(request, batch)
    return redirect(upload)


@require_POST
@role_required(*ANY_ROLE)
def resident_upload_delete(request, pk):
    """Forget an upload and its residents (the registrations made from it stay)."""
    upload = scoped_upload(request, pk)
    name = upload.original_name
    upload.delete()
    messages.success(request, _("%(name)s and its residents are deleted.") % {"name": name})
    return redirect("opensid_upload")


# Back to OpenSID ------------------------------------------------------------------------------


def _programme_links(user, village: Village) -> list[tuple[Campaign, str]]:
    """(campaign, download URL) for the campaigns `village` takes part in that `user` sees."""
    campaigns = Campaign.objects.for_user(user).filter(participations__village=village)
    return [
        (campaign, reverse("opensid_programme_export", args=[campaign.slug, village.code]))
        for campaign in campaigns.distinct().order_by("-starts_on", "name")
    ]


def _funds(sources: set[str]) -> str:
    """OpenSID's Asal Dana for the premiums of the members listed."""
    if sources and sources <= set(FundingSource.village_funded()):
        return programme.FUNDS_VILLAGE
    if sources == {FundingSource.APBD}:
        return programme.FUNDS_REGENCY
    return programme.FUNDS_OTHER


def _member_address(participant) -> str:
    parts = [participant.address]
    if participant.rt or participant.rw:
        parts.append(f"RT {participant.rt or '-'} RW {participant.rw or '-'}")
    return ", ".join(part for part in parts if part)


@role_required(*ANY_ROLE)
def programme_export(request, campaign, village):
    """The village's members enrolled in the campaign (verified or active, counted by the
    campaign's own rule) as an OpenSID aid-programme import file. No phone, no KPJ number."""
    campaign = scoped_or_404(Campaign.objects, request.user, slug=campaign)
    village = scoped_or_404(
        Village.objects.filter(campaign_participations__campaign=campaign), request.user, pk=village
    )
    registrations = (
        counted_registrations(campaign)
        .filter(village=village)
        .verified()
        .select_related("participant")
        .order_by("participant__full_name", "pk")
    )
    members, sources = [], set()
    for registration in registrations:
        participant = registration.participant
        members.append(
            programme.Member(
                nik=participant.nik,
                name=participant.full_name,
                birth_date=participant.birth_date,
                address=_member_address(participant),
            )
        )
        sources.add(registration.funding_source)
    content = programme.programme_workbook(
        programme.Programme(
            # A data format read in the village: Indonesian whatever the user's language.
            name=f"BPJS Ketenagakerjaan - {campaign.name}"[:100],
            description=(
                f"Peserta BPJS Ketenagakerjaan yang terdaftar melalui Desa {village.name} "
                f"dalam {campaign.name}, dari portal Desa Sadar Jaminan Sosial."
            ),
            funds=_funds(sources),
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
        ),
        members,
    )
    filters = {"campaign": campaign.slug, "village": village.code}
    enrollment_services.export_recorded(
        request=request,
        dataset="opensid_programme",
        file_format=ExportRecord.Format.XLSX,
        filters=filters,
        row_count=len(members),
        village=village,
        audit_format="opensid_programme",
    )
    return attachment(content, "xlsx", f"program-bantuan-{campaign.slug}-{village.code}.xlsx")
