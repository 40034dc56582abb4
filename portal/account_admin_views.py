"""Account pages: branch staff run the village operator accounts of their area (admins also
branch staff accounts), print invitation slips; the invitation link; everyone's account page."""

from __future__ import annotations

from axes.models import AccessLog
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.phone import normalize_phone
from villages.models import BranchOffice, District, Village

from . import accounts
from .access import role_required
from .filters import AccountFilter
from .models import Invitation, User
from .paging import BoundedPaginator
from .qr import qr_svg
from .roles import ADMIN_ONLY, STAFF
from .tables import AccountTable
from .two_factor import confirmed_device

ACCOUNTS_PER_PAGE = 50
LOGINS_SHOWN = 10


# Forms ---------------------------------------------------------------------------------------


class DistrictChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, district):
        return f"{district.name} — {district.regency.name}"


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, village):
        return f"{village.name} ({village.code})"


def scoped_districts(user):
    """Districts with at least one village the user may see."""
    return (
        District.objects.filter(villages__in=Village.objects.for_user(user))
        .select_related("regency")
        .distinct()
        .order_by("regency__name", "name", "code")
    )


class PhoneField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else ""


class DistrictPickForm(forms.Form):
    district = DistrictChoiceField(queryset=District.objects.none(), label=gettext_lazy("District"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = scoped_districts(user)


class OperatorAccountForm(forms.Form):
    village = VillageChoiceField(queryset=Village.objects.none(), label=gettext_lazy("Village"))
    first_name = forms.CharField(
        label=gettext_lazy("Operator's name"), max_length=150, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy("If given, the invitation link is also sent there."),
    )
    phone = PhoneField(label=gettext_lazy("Phone"), max_length=20, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class StaffAccountForm(forms.Form):
    branch_office = forms.ModelChoiceField(
        queryset=BranchOffice.objects.all(), label=gettext_lazy("Branch office")
    )
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        validators=[User.username_validator],
    )
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        help_text=gettext_lazy("If given, the invitation link is also sent there."),
    )
    phone = PhoneField(label=gettext_lazy("Phone"), max_length=20, required=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken."), code="taken")
        return username


class AccountSettingsForm(forms.ModelForm):
    phone = PhoneField(label=gettext_lazy("Phone"), max_length=20, required=False)

    class Meta:
        model = User
        fields = ["email", "phone", "language"]
        help_texts = {"language": gettext_lazy("For the portal's pages and for e-mails.")}


# Helpers -------------------------------------------------------------------------------------


def _link_for(request):
    return lambda token: request.build_absolute_uri(reverse("invitation_accept", args=[token]))


def slips_response(request, invitations: list[Invitation], *, skipped=()):
    """The printable slips of freshly issued invitations. The links exist only in this response:
    it is never cached, and printing again later issues new links."""
    link_for = _link_for(request)
    slips = []
    for invitation in invitations:
        link = link_for(invitation.token)
        slips.append(
            {"user": invitation.user, "invitation": invitation, "link": link, "qr": qr_svg(link)}
        )
    response = render(
        request,
        "portal/accounts/invitation_slips.html",
        {
            "slips": slips,
            "skipped": skipped,
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _scoped_account(request, pk) -> User:
    """An account the user may manage, or 404: the same answer as for one that does not exist."""
    return get_object_or_404(
        accounts.manageable_accounts(request.user).select_related(
            "village__district__regency", "branch_office"
        ),
        pk=pk,
    )


# Managing accounts ---------------------------------------------------------------------------


@role_required(*STAFF)
def account_list(request):
    """The accounts the user manages, with their invitation status and last login."""
    pending_until = (
        Invitation.objects.usable()
        .filter(user=OuterRef("pk"))
        .order_by("-expires_at")
        .values("expires_at")[:1]
    )
    users = (
        accounts.manageable_accounts(request.user)
        .select_related("village__district", "branch_office")
        .annotate(invited_until=Subquery(pending_until))
        .order_by("-is_active", "village__district__name", "village__name", "username")
    )
    search = AccountFilter(request.GET, queryset=users)
    page = BoundedPaginator(search.qs, ACCOUNTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/accounts/account_list.html",
        {
            "page": page,
            "query": search.form.cleaned_data.get("q", ""),
            "table": AccountTable(list(page.object_list)),
        },
    )


@role_required(*STAFF)
def account_create(request):
    """A village operator account for one village: first the district, then the village."""
    pick = DistrictPickForm(request.GET or None, user=request.user)
    if not pick.is_valid():
        return render(request, "portal/accounts/account_create.html", {"pick": pick})
    district = pick.cleaned_data["district"]
    villages = Village.objects.for_user(request.user).filter(district=district).order_by("name")
    form = OperatorAccountForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, invitation = accounts.operator_account_create(
            village=data["village"],
            by=request.user,
            first_name=data["first_name"],
            email=data["email"],
            phone=data["phone"],
            link_for=_link_for(request),
        )
        messages.success(
            request,
            _("The account %(username)s was created. Print its slip or send the link.")
            % {"username": user.username},
        )
        return slips_response(request, [invitation])
    return render(
        request,
        "portal/accounts/account_create.html",
        {"pick": pick, "district": district, "form": form},
    )


@role_required(*ADMIN_ONLY)
def staff_account_create(request):
    """A branch staff account for a branch office (administrators only)."""
    form = StaffAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, invitation = accounts.staff_account_create(
            by=request.user, link_for=_link_for(request), **form.cleaned_data
        )
        messages.success(
            request,
            _("The account %(username)s was created. Print its slip or send the link.")
            % {"username": user.username},
        )
        return slips_response(request, [invitation])
    return render(request, "portal/accounts/staff_account_create.html", {"form": form})


@role_required(*STAFF)
def account_deactivate(request, pk):
    """Ask, then deactivate an account: it can no longer log in and its sessions end."""
    account = _scoped_account(request, pk)
    if request.method == "POST":
        accounts.account_deactivate(user=account, by=request.user)
        messages.success(
            request, _("The account %(username)s is deactivated.") % {"username": account.username}
        )
        return redirect("account_list")
    return render(request, "portal/accounts/account_deactivate.html", {"account": account})


@require_POST
@role_required(*STAFF)
def invitation_renew(request, pk):
    """A new invitation for one account (its earlier link stops working), as a slip."""
    account = _scoped_account(request, pk)
    if not account.is_active:
        messages.error(request, _("A deactivated account cannot be invited."))
        return redirect("account_list")
    invitation = accounts.invitation_renew(
        user=account, by=request.user, link_for=_link_for(request)
    )
    return slips_response(request, [invitation])


@require_POST
@role_required(*STAFF)
def invitation_slips(request):
    """Slips for the selected active accounts: each gets a new invitation."""
    ids = [value for value in request.POST.getlist("accounts") if value.isdigit()]
    selected = (
        accounts.manageable_accounts(request.user)
        .filter(pk__in=ids, is_active=True)
        .select_related("village__district__regency", "branch_office")
        .order_by("village__name", "username")
    )
    if not selected:
        messages.error(request, _("Select at least one active account."))
        return redirect("account_list")
    invitations = [
        accounts.invitation_renew(user=user, by=request.user, link_for=_link_for(request))
        for user in selected
    ]
    return slips_response(request, invitations)


# The invitation link and the account page ----------------------------------------------------


@never_cache
@login_not_required
def invitation_accept(request, token):
    """The link on a slip: choose a password once, then land on one's home page logged in."""
    try:
        invitation = accounts.invitation_for_token(token)
    except accounts.InvitationInvalid:
        return render(request, "portal/accounts/invitation_invalid.html", status=404)
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except accounts.InvitationInvalid:
            return render(request, "portal/accounts/invitation_invalid.html", status=404)
        login(request, user, backend="portal.backends.UserBackend")
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect(user.get_home_url())
    return render(
        request,
        "portal/accounts/invitation_accept.html",
        {"form": form, "account": user, "invitation": invitation},
    )


def _set_language_cookie(response, language: str) -> None:
    """The cookie portal.middleware.LanguageMiddleware reads, set as Django's set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def account_settings(request):
    """Everyone's account page: e-mail, phone, language; a link to change the password; the
    last successful logins (django-axes' access log)."""
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):
            messages.success(request, _("Your settings are saved."))
        response = redirect("account_settings")
        _set_language_cookie(response, user.language)
        return response
    logins = AccessLog.objects.filter(username=request.user.get_username()).order_by(
        "-attempt_time"
    )[:LOGINS_SHOWN]
    may_use_two_factor = request.user.is_admin_or_branch_staff
    context = {
        "form": form,
        "logins": logins,
        "may_use_two_factor": may_use_two_factor,
        "two_factor_on": may_use_two_factor and confirmed_device(request.user) is not None,
    }
    return render(request, "portal/accounts/account_settings.html", context)
