"""Operator accounts for every village of a campaign (or a district) at once: the account
pages' bulk form, on the campaigns floor since it chooses among campaigns."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import accounts
from portal.access import role_required
from portal.account_admin_views import (
    DistrictChoiceField,
    scoped_districts,
    slips_response,
)
from portal.roles import STAFF
from villages.models import District, Village

from .models import Campaign


class BulkCreateForm(forms.Form):
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), label=gettext_lazy("Campaign"), required=False
    )
    district = DistrictChoiceField(
        queryset=District.objects.none(), label=gettext_lazy("District"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["campaign"].queryset = Campaign.objects.for_user(user)
        self.fields["district"].queryset = scoped_districts(user)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("campaign")) == bool(cleaned.get("district")):
            raise ValidationError(_("Choose either a campaign or a district."), code="one_of")
        return cleaned

    def villages(self):
        """The chosen campaign's or district's villages within the user's area."""
        villages = Village.objects.for_user(self.user)
        if self.cleaned_data["campaign"]:
            return villages.filter(campaigns=self.cleaned_data["campaign"])
        return villages.filter(district=self.cleaned_data["district"])


@role_required(*STAFF)
def account_bulk_create(request):
    """Accounts for every village of a campaign or a district that has no active operator: the
    first submit shows how many, the second creates them and shows their slips."""
    form = BulkCreateForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        villages = form.villages()
        free = accounts.villages_without_operator(villages).with_names().order_by("code")
        if "create" in request.POST:
            created = accounts.operator_accounts_create_for(villages=free, by=request.user)
            messages.success(
                request,
                ngettext(
                    "%(count)d account was created.",
                    "%(count)d accounts were created.",
                    len(created),
                )
                % {"count": len(created)},
            )
            taken = villages.exclude(pk__in=[user.village_id for user, _inv in created])
            return slips_response(
                request,
                [invitation for _user, invitation in created],
                skipped=list(taken.order_by("name")),
            )
        preview = {"total": villages.count(), "free": list(free)}
    return render(
        request, "portal/accounts/account_bulk_create.html", {"form": form, "preview": preview}
    )
