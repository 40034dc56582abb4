from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from portal.access import RoleRequiredMixin, role_required

from .filters import AgreementFilter
from .models import Agreement
from .tables import AgreementTable

AGREEMENT_READERS = ("admin", "branch_staff", "village_operator")


class AgreementListView(RoleRequiredMixin, SingleTableMixin, FilterView):
    roles = AGREEMENT_READERS
    table_class = AgreementTable
    filterset_class = AgreementFilter
    template_name = "campaigns/agreement_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user).select_related("branch_office")


class AgreementDetailView(RoleRequiredMixin, DetailView):
    roles = AGREEMENT_READERS
    template_name = "campaigns/agreement_detail.html"

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user).select_related(
            "branch_office", "counterpart_regency", "counterpart_village"
        )


@role_required(*AGREEMENT_READERS)
def agreement_document(request, pk):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user), pk=pk)
    if not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"),
        content_type="application/pdf",
        filename=agreement.document.name.rsplit("/", 1)[-1],
    )


def campaign_list(request):
    return HttpResponse("")


def campaign_dashboard(request, slug):
    return HttpResponse("")


def campaign_villages_export(request, slug, fmt):
    return HttpResponse("")
