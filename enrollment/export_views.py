"""The registrations list, exactly as filtered, as a spreadsheet; every export is recorded."""

from django.http import Http404
from django.utils import timezone, translation
from django_tables2 import RequestConfig

from portal.access import role_required
from portal.db_routers import use_replica
from portal.phone import format_phone
from portal.roles import ANY_ROLE
from portal.spreadsheets import attachment
from sheets.writing import SheetWriter

from . import importing, payment_rows, services
from .filters import RegistrationFilter
from .models import ContributionRate, ExportRecord, Registration
from .tables import RegistrationTable

# The list's columns; the first seventeen are the import template's, so a file exported from one
# village can be imported again.
COLUMNS = [
    *importing.HEADERS.values(),
    "Iuran per Bulan", "Desa", "Kecamatan", "Status", "KPJ", "Tanggal Daftar", "Iuran terakhir",
]  # fmt: skip
# The order in which branch staff type participants into BPJS Ketenagakerjaan's system.
BPJS_COLUMNS = [
    "NIK", "Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "KPJ", "Program", "Penghasilan",
    "Iuran", "Sumber Dana", "Kode Desa",
]  # fmt: skip
TEXT_COLUMNS = {"NIK", "No. HP", "RT", "RW", "Kode Desa", "KPJ", "Iuran terakhir"}
DATE_COLUMNS = {"Tanggal Lahir", "Tanggal Daftar"}


def filtered_registrations(request):
    """What the registrations list shows for this request, all pages, in the list's order:
    the same scoping, filter (strict, as the list view's) and table ordering."""
    queryset = Registration.objects.for_user(request.user).with_people()
    filterset = RegistrationFilter(
        request.GET or None, request=request, queryset=queryset, user=request.user
    )
    if filterset.is_bound and not filterset.is_valid():
        return queryset.none()
    table = RegistrationTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)
    return table.data.data


def _sex(participant) -> str:
    return "P" if participant.sex == "F" else "L"


def _list_row(registration, book) -> list:
    participant = registration.participant
    village = registration.village
    return [
        participant.nik,
        participant.full_name,
        participant.birth_date,
        _sex(participant),
        format_phone(participant.phone) if participant.phone else "",
        participant.address,
        participant.rt,
        participant.rw,
        participant.occupation,
        participant.get_category_display(),
        "Ya" if registration.jht else "Tidak",
        registration.declared_income,
        registration.get_funding_source_display(),
        registration.funding_company,
        village.code,
        participant.get_occupation_group_display(),
        registration.employer_name,
        registration.premium_this_month(book),
        village.name,
        village.district.name,
        registration.get_status_display(),
        registration.kpj or "",
        timezone.localtime(registration.created_at).date(),
        # The last month paid in full, as YYYY-MM: text, so that no spreadsheet makes a date of it.
        payment_rows.month_text(registration.last_paid_month),
    ]


def _bpjs_row(registration, book) -> list:
    participant = registration.participant
    return [
        participant.nik,
        participant.full_name,
        participant.birth_date,
        _sex(participant),
        registration.kpj or "",
        ", ".join(registration.programs),
        registration.declared_income,
        registration.premium_this_month(book),
        registration.get_funding_source_display(),
        registration.village_id,
    ]


@role_required(*ANY_ROLE)
@use_replica()
def registration_export(request, fmt):
    if fmt not in ExportRecord.Format.values:
        raise Http404
    columns, make_row = (BPJS_COLUMNS, _bpjs_row) if fmt == "bpjs" else (COLUMNS, _list_row)
    # Villages see a member's status, never the KPJ number (tied to the member's balance).
    shown = [i for i, column in enumerate(columns) if column != "KPJ" or request.user.may_see_kpj]
    columns = [columns[i] for i in shown]
    file_format = "csv" if fmt == "csv" else "xlsx"
    writer = SheetWriter(
        file_format,
        text_columns=[i for i, column in enumerate(columns) if column in TEXT_COLUMNS],
        date_columns=[i for i, column in enumerate(columns) if column in DATE_COLUMNS],
    )
    writer.header(columns, widths=[24 if "Nama" in c else 16 for c in columns])
    count = 0
    # A data format: Indonesian labels whatever the user's language.
    book = ContributionRate.objects.price_book()  # the premium column: this month's
    with translation.override("id"):
        for registration in filtered_registrations(request).iterator(chunk_size=2000):
            row = make_row(registration, book)
            writer.row([row[i] for i in shown])
            count += 1
    content = writer.close()
    filters = {
        key: values[0] if len(values) == 1 else values
        for key, values in request.GET.lists()
        if key != "page" and any(values)
    }
    services.export_recorded(request=request, file_format=fmt, filters=filters, row_count=count)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"pendaftaran-{'bpjs-' if fmt == 'bpjs' else ''}{stamp}.{file_format}"
    return attachment(content, file_format, name)
