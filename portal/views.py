from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.shortcuts import redirect, render

from campaigns.models import Agreement
from villages.models import Village

from .access import role_required

__all__ = ["login_not_required"]


def home(request):
    return redirect(request.user.get_home_url())


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@role_required("branch_staff")
def branch_home(request):
    office = request.user.branch_office
    regencies = (
        office.covered_regencies()
        .select_related("province")
        .annotate(village_count=Count("districts__villages", distinct=True))
        .order_by("code")
    )
    agreements = Agreement.objects.for_user(request.user).select_related("branch_office")[:5]
    return render(
        request,
        "portal/branch_home.html",
        {"office": office, "regencies": regencies, "agreements": agreements},
    )


@role_required("village_operator")
def village_home(request):
    village = Village.objects.with_names().get(pk=request.user.village_id)
    agreements = Agreement.objects.for_user(request.user).select_related("branch_office")
    return render(
        request, "portal/village_home.html", {"village": village, "agreements": agreements}
    )


def no_role(request):
    return render(request, "portal/no_role.html", status=403)
