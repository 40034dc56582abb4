from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.templatetags.static import static

__all__ = ["login_not_required"]


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on pages without the icon link (the admin's, files)."""
    return redirect(static("img/favicon.ico"))


def home(request):
    return redirect(request.user.get_home_url())


def no_role(request):
    return render(request, "portal/no_role.html", status=403)
