"""Benefits received: branch staff record the claims BPJS paid to a village's members or their
heirs; the list shows them without NIKs (only the member's own record shows one)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.models import Registration
from portal.access import role_required
from portal.roles import STAFF

from . import services
from .models import Claim, SocializationEvent
from .tables import ClaimTable

CLAIMS_SHOWN = 100


class ClaimForm(forms.ModelForm):
    kpj = forms.CharField(label=gettext_lazy("Member's KPJ number"), max_length=11, min_length=11)

    class Meta:
        model = Claim
        fields = ["kpj", "programme", "recipient", "amount", "paid_on", "event", "notes"]
        widgets = {
            "paid_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["event"].queryset = (
            SocializationEvent.objects.for_user(user).select_related("village").order_by("-held_on")
        )

    def clean_kpj(self) -> str:
        kpj = self.cleaned_data["kpj"].strip()
        self.registration = (
            Registration.objects.for_user(self.user).verified().filter(kpj=kpj).first()
        )
        if self.registration is None:
            # The same answer for a KPJ that does not exist and one outside the user's area.
            raise forms.ValidationError(_("No member with this KPJ in your area."))
        return kpj

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


@role_required(*STAFF)
def claim_list(request):
    claims = Claim.objects.for_user(request.user)
    form = ClaimForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "kpj"}
        services.claim_record(registration=form.registration, by=request.user, data=data)
        messages.success(request, _("Claim recorded."))
        return redirect("claim_list")
    return render(
        request,
        "campaigns/claim_list.html",
        {
            "form": form,
            "benefits": claims.benefits(),
            "table": ClaimTable(
                list(
                    claims.select_related("registration__participant", "village", "event")[
                        :CLAIMS_SHOWN
                    ]
                )
            ),
            "shown": CLAIMS_SHOWN,
        },
    )
