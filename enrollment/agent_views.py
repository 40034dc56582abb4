"""Perisai agents and funded periods that end soon (being written)."""

from django.http import HttpResponse

from portal.access import role_required


@role_required("admin", "branch_staff", "village_operator")
def lapsing_list(request):
    return HttpResponse("")


@role_required("admin", "branch_staff", "village_operator")
def agent_list(request):
    return HttpResponse("")


@role_required("admin", "branch_staff", "village_operator")
def agent_detail(request, pk):
    return HttpResponse("")
