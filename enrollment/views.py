from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from portal.access import RoleRequiredMixin, ScopedQuerysetMixin, role_required, scoped_or_404
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.page_cache import REGISTRATIONS, cached_content
from portal.paging import BoundedPaginator
from portal.roles import ANY_ROLE, REGISTRATION_EDITORS, STAFF, VILLAGE_OPERATOR_ONLY
from villages.models import Village

from . import changes, payments, priced, services
from .filters import RegistrationFilter
from .forms import FundedPeriodForm, RegistrationForm, RejectForm, VerifyForm
from .models import Registration
from .tables import RegistrationTable


def scoped_registration(request, pk) -> Registration:
    """A registration the user may see, or 404: the same answer as for one that does not exist."""
    return scoped_or_404(Registration.objects.with_people(), request.user, pk=pk)


class RegistrationListView(RoleRequiredMixin, ScopedQuerysetMixin, SingleTableMixin, FilterView):
    roles = ANY_ROLE
    table_class = RegistrationTable
    filterset_class = RegistrationFilter
    template_name = "enrollment/registration_list.html"
    paginate_by = 25
    paginator_class = BoundedPaginator
    queryset = Registration.objects.with_people()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table_kwargs(self):
        return {"show_village": not self.request.user.is_village_operator}


@role_required(*VILLAGE_OPERATOR_ONLY)
def registration_create(request):
    village = Village.objects.with_names().get(pk=request.user.village_id)
    form = RegistrationForm(request.POST or None, village=village, user=request.user)
    # The first submit ("Periksa") shows the premium; "save" saves only the premium shown.
    if _save_what_was_seen(request, form):
        try:
            registration = services.registration_create(
                village=village, entered_by=request.user, data=form.cleaned_data
            )
        except services.DuplicateNik:
            form.add_error("nik", form.duplicate_error(form.cleaned_data["nik"]))
        else:
            messages.success(
                request,
                _("%(name)s is registered and waits for verification by the branch office.")
                % {"name": registration.participant.full_name},
            )
            return redirect(registration)
    return _registration_form(request, form, village=village)


def _save_what_was_seen(request, form) -> bool:
    """A valid "save" whose priced inputs are those of the premium the person saw; otherwise
    the page shows the premium (again)."""
    if request.method != "POST" or not form.is_valid() or "save" not in request.POST:
        return False
    seen = priced.was_seen(
        request.POST.get(priced.FIELD_NAME),
        data=form.cleaned_data,
        premium_total=form.premium.total,
    )
    form.repriced = not seen
    return seen


def _registration_form(request, form, *, village, registration=None):
    """The form with the premium of its inputs and their signature, or for an unchanged
    registration its stored premium; the page brings the person to the premium or the errors."""
    premium_total = None
    signed = {}
    if form.is_bound and form.is_valid():
        premium_total, signed = form.premium.total, form.cleaned_data
    elif not form.is_bound and registration is not None:
        # Saved again unchanged, it is priced by this month's rates: show that premium.
        premium_total = registration.premium_this_month()
        signed = RegistrationForm.initial_from(registration)
    return render(
        request,
        "enrollment/registration_form.html",
        {
            "form": form,
            "village": village,
            "registration": registration,
            "premium_total": premium_total,
            "priced": (
                priced.signature(data=signed, premium_total=premium_total)
                if premium_total is not None
                else ""
            ),
            "repriced": getattr(form, "repriced", False),
        },
    )


@role_required(*ANY_ROLE)
def registration_detail(request, pk):
    """The registration with the participant's full NIK: every view of it is audited."""
    registration = scoped_registration(request, pk)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW_NIK,
        obj=registration.participant,
        village=registration.village,
    )
    events = list(registration.events.select_related("by"))
    # BPJS does not hand membership numbers to villages (they are tied to members' balances):
    # village operators see the status, never the KPJ.
    show_kpj = request.user.may_see_kpj
    if not show_kpj:
        for event in events:
            event.changes = {k: v for k, v in event.changes.items() if k != "kpj"}
    periods = registration.funded_periods.all()
    paid = payments.payment_summary(registration) if registration.kpj else None
    can_verify = request.user.is_admin_or_branch_staff
    can_edit = registration.is_editable and (
        request.user.is_village_operator or request.user.is_admin
    )
    return render(
        request,
        "enrollment/registration_detail.html",
        {
            "registration": registration,
            "participant": registration.participant,
            "events": events,
            "periods": periods,
            "paid": paid,
            "claims": registration.claims.select_related("event"),
            "can_verify": can_verify,
            "show_kpj": show_kpj,
            "can_edit": can_edit,
            "verify_form": VerifyForm(),
            "reject_form": RejectForm(),
            "period_form": FundedPeriodForm(registration=registration),
        },
    )


@role_required(*REGISTRATION_EDITORS)
def registration_edit(request, pk):
    registration = scoped_registration(request, pk)
    if not registration.is_editable:
        messages.error(
            request,
            _(
                "Only a registration waiting for verification or returned to the village "
                "can be changed."
            ),
        )
        return redirect(registration)
    form = RegistrationForm(
        request.POST or None,
        initial=RegistrationForm.initial_from(registration),
        village=registration.village,
        user=request.user,
        registration=registration,
    )
    if _save_what_was_seen(request, form):
        returned = registration.is_returned
        save = services.registration_send_again if returned else services.registration_update
        try:
            save(registration=registration, by=request.user, data=form.cleaned_data)
        except services.DuplicateNik:
            form.add_error("nik", form.duplicate_error(form.cleaned_data["nik"]))
        except services.WrongStatus:
            messages.error(request, _("The registration was verified or rejected meanwhile."))
            return redirect(registration)
        else:
            if returned:
                messages.success(
                    request,
                    _("The registration is sent again to the branch office for verification."),
                )
            else:
                messages.success(request, _("The registration is updated."))
            return redirect(registration)
    return _registration_form(
        request, form, village=registration.village, registration=registration
    )


@require_POST
@role_required(*STAFF)
def registration_verify(request, pk):
    registration = scoped_registration(request, pk)
    form = VerifyForm(request.POST)
    if form.is_valid():
        try:
            services.registration_verify(
                registration=registration, kpj=form.cleaned_data["kpj"], by=request.user
            )
        except services.DuplicateKpj:
            messages.error(request, _("That KPJ number already belongs to another registration."))
        except services.WrongStatus:
            messages.error(request, _("Only a submitted registration can be verified."))
        else:
            messages.success(request, _("Verified with KPJ %(kpj)s.") % form.cleaned_data)
    else:
        messages.error(request, " ".join(form.errors["kpj"]))
    return redirect(registration)


@require_POST
@role_required(*STAFF)
def registration_reject(request, pk):
    registration = scoped_registration(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the rejection."))
    else:
        try:
            services.registrations_reject(
                registrations=[registration], reason=form.cleaned_data["reason"], by=request.user
            )
        except services.WrongStatus:
            messages.error(request, _("Only a submitted registration can be rejected."))
        else:
            messages.success(request, _("The registration is rejected."))
    return redirect(registration)


@require_POST
@role_required(*REGISTRATION_EDITORS)
def registration_withdraw(request, pk):
    registration = scoped_registration(request, pk)
    try:
        services.registration_withdraw(registration=registration, by=request.user)
    except services.WrongStatus:
        messages.error(request, _("Only a registration not yet verified can be withdrawn."))
    else:
        messages.success(
            request,
            _("The registration is withdrawn. It counts nowhere; you can still send it again."),
        )
    return redirect(registration)


@require_POST
@role_required(*STAFF)
def registration_activate(request, pk):
    registration = scoped_registration(request, pk)
    try:
        services.registration_activate(registration=registration, by=request.user)
    except services.WrongStatus:
        messages.error(request, _("Only a verified registration can be activated."))
    else:
        messages.success(request, _("The membership is active."))
    return redirect(registration)


@require_POST
@role_required(*ANY_ROLE)
def funded_period_create(request, pk):
    registration = scoped_registration(request, pk)
    if registration.is_returned:
        raise PermissionDenied
    form = FundedPeriodForm(request.POST, registration=registration)
    if form.is_valid():
        services.funded_period_add(registration=registration, by=request.user, **form.cleaned_data)
        messages.success(request, _("The funded period is recorded."))
    else:
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, " ".join(errors))
    return redirect(registration)


# The queue counts what waits up to this many ("more than 1,000"): counting a national backlog
# row by row grew with it. The registrations list, filtered by status, counts them all.
QUEUE_COUNT_LIMIT = 1_000
# A batch to verify at once: each row needs its KPJ number typed in, and a batch with one wrong
# number comes back whole to correct.
QUEUE_BATCH = 25


@role_required(*STAFF)
@cached_content(depends_on=lambda request: [REGISTRATIONS])
def verification_queue(request):
    """Submitted registrations of the user's area, oldest first; verify or reject several."""
    queue = Registration.objects.for_user(request.user).submitted().order_by("created_at", "pk")
    filterset = RegistrationFilter(request.GET, queryset=queue, user=request.user)
    page = _page_number(request)
    # The oldest batch first (the waiting-registrations index), then their people: joining
    # every waiting registration to its participant before the limit costs seconds nationally.
    # One row more than a batch says whether a next page exists, without counting them all.
    start = (page - 1) * QUEUE_BATCH
    oldest = list(filterset.qs.values_list("pk", flat=True)[start : start + QUEUE_BATCH + 1])
    has_next = len(oldest) > QUEUE_BATCH
    rows = list(
        Registration.objects.filter(pk__in=oldest[:QUEUE_BATCH])
        .with_people()
        .order_by("created_at", "pk")
    )
    errors: dict[int, str] = {}
    rejecting = request.method == "POST" and request.POST.get("action") == "reject"
    if request.method == "POST":
        by_pk = {registration.pk: registration for registration in rows}
        # Verifying, a typed KPJ number selects its row: no separate tick needed.
        wanted = set(_selected_pks(request))
        if not rejecting:
            wanted |= {pk for pk in by_pk if request.POST.get(f"kpj-{pk}", "").strip()}
        selected = [registration for registration in rows if registration.pk in wanted]
        if not selected:
            messages.error(request, _("Select at least one registration."))
        elif rejecting:
            form = RejectForm(request.POST)
            if form.is_valid():
                count = services.registrations_reject(
                    registrations=selected, reason=form.cleaned_data["reason"], by=request.user
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)d registration rejected.",
                        "%(count)d registrations rejected.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(request.get_full_path())
            messages.error(request, _("Give a reason for the rejection."))
        else:
            pairs, errors = _kpj_pairs(request, selected)
            if not errors:
                try:
                    services.registrations_verify(pairs=pairs, by=request.user)
                except services.DuplicateKpj as error:
                    messages.error(request, _("KPJ %(kpj)s is already used.") % {"kpj": error})
                except services.WrongStatus:
                    messages.error(request, _("Some registrations changed meanwhile; try again."))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d registration verified.",
                            "%(count)d registrations verified.",
                            len(pairs),
                        )
                        % {"count": len(pairs)},
                    )
                    return redirect(request.get_full_path())
            else:
                messages.error(request, _("Nothing was verified: correct the marked KPJ numbers."))
    selected_pks = set(_selected_pks(request))
    counts_toward = changes.counted_toward(rows)
    table_rows = [
        {
            "registration": registration,
            "selected": registration.pk in selected_pks,
            "kpj": request.POST.get(f"kpj-{registration.pk}", ""),
            "error": errors.get(registration.pk),
            "campaigns": counts_toward.get(registration.pk, []),
        }
        for registration in rows
    ]
    return render(
        request,
        "enrollment/verification_queue.html",
        {
            "filter": filterset,
            "rows": table_rows,
            "page": page,
            "first_shown": start + 1,
            "last_shown": start + len(rows),
            "previous_url": _page_url(request, page - 1) if page > 1 else "",
            "next_url": _page_url(request, page + 1) if has_next else "",
            "total": filterset.qs.order_by()[: QUEUE_COUNT_LIMIT + 1].count(),
            "count_limit": QUEUE_COUNT_LIMIT,
            # One form holds both actions: the reason must not block "verify" in the browser.
            "reject_form": RejectForm(
                request.POST if rejecting else None, use_required_attribute=False
            ),
        },
    )


def _page_number(request) -> int:
    page = request.GET.get("page", "")
    return min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1


def _page_url(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = page
    return f"?{query.urlencode()}"


def _selected_pks(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("selected") if value.isdigit()]


def _kpj_pairs(request, selected):
    pairs, errors, seen = [], {}, set()
    for registration in selected:
        form = VerifyForm({"kpj": request.POST.get(f"kpj-{registration.pk}", "").strip()})
        if not form.is_valid():
            errors[registration.pk] = " ".join(form.errors["kpj"])
        elif form.cleaned_data["kpj"] in seen:
            errors[registration.pk] = _("The same KPJ number is typed twice.")
        else:
            seen.add(form.cleaned_data["kpj"])
            pairs.append((registration, form.cleaned_data["kpj"]))
    return pairs, errors
