"""Campaign setup by branch staff and admins: campaigns, targets, events, budget (being written)."""

from django.http import HttpResponse

from portal.access import role_required


@role_required("admin", "branch_staff")
def campaign_create(request):
    return HttpResponse("")


@role_required("admin", "branch_staff")
def campaign_edit(request, slug):
    return HttpResponse("")


@role_required("admin", "branch_staff", "village_operator")
def budget_planner(request, slug, village_code):
    return HttpResponse("")


@role_required("admin", "branch_staff", "village_operator")
def event_list(request):
    return HttpResponse("")


@role_required("admin", "branch_staff")
def event_create(request):
    return HttpResponse("")
