"""Forms for setting up campaigns, socialization events and the budget planner. Regions are typed
by their Kemendagri code (names repeat, codes don't) and must lie in the user's area."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from enrollment.models import WorkerCategory
from villages.models import District, Regency, Village

from .models import Campaign, ScoreCriterion, SocializationEvent

# Digits per part of a code: province, regency, district, village.
CODE_PARTS = (2, 2, 2, 4)
LEVEL_PARTS = {Regency: 2, District: 3, Village: 4}
CODE_EXAMPLES = {Regency: "35.23", District: "35.23.12", Village: "35.23.12.2002"}
UNKNOWN_CODE = {
    Regency: _("No regency or city has the code %(code)s."),
    District: _("No district has the code %(code)s."),
    Village: _("No village has the code %(code)s."),
}
OUTSIDE_AREA = {
    Regency: _("%(name)s (%(code)s) is outside your area."),
    District: _("District %(name)s (%(code)s) is outside your area."),
    Village: _("Village %(name)s (%(code)s) is outside your area."),
}
MAX_TARGET = 1_000_000


def normalize_code(value: str) -> str:
    """ "35.23.12.2002" as typed, with spaces, or without dots ("3523122002"); "" if not a code."""
    text = re.sub(r"\s+", "", value or "")
    if text.isdigit():
        parts, position = [], 0
        for size in CODE_PARTS:
            if position < len(text):
                parts.append(text[position : position + size])
                position += size
        text = ".".join(parts) if position == len(text) else text
    if re.fullmatch(r"[0-9]{2}(\.[0-9]{2}){0,2}(\.[0-9]{4})?", text):
        return text
    return ""


def level_of(code: str) -> type[Regency] | type[District] | type[Village] | None:
    parts = code.count(".") + 1
    return next((model for model, n in LEVEL_PARTS.items() if n == parts), None)


def area_querysets(user) -> dict[type, QuerySet]:
    """The regencies, districts and villages the user may work in, all derived from
    Village.objects.for_user (the one scoping rule)."""
    villages = Village.objects.for_user(user)
    return {
        Village: villages,
        District: District.objects.filter(Exists(villages.filter(district=OuterRef("pk")))),
        Regency: Regency.objects.filter(Exists(villages.filter(district__regency=OuterRef("pk")))),
    }


class CodeInput(forms.TextInput):
    """A code input, with a <datalist> of suggestions when given `options`: a callable returning
    (code, name) pairs, called only when the input is rendered."""

    def __init__(self, attrs=None, options=None):
        defaults = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__({**defaults, **(attrs or {})})
        self.options = options

    def render(self, name, value, attrs=None, renderer=None):
        options = list(self.options()) if self.options else []
        if not options:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or name}-options"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        return html + format_html(
            '<datalist id="{}">{}</datalist>',
            list_id,
            format_html_join("", '<option value="{}">{}</option>', options),
        )


class AreaCodeField(forms.CharField):
    """A regency, district or village typed by its code; cleans to the model instance. Codes
    that exist but lie outside `queryset` (the user's area) are refused with their own message."""

    def __init__(self, *, model, queryset=None, **kwargs):
        self.model = model
        self.queryset = queryset if queryset is not None else model.objects.all()
        kwargs.setdefault("widget", CodeInput(attrs={"placeholder": CODE_EXAMPLES[model]}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("maxlength", 20)

    def prepare_value(self, value):
        return value.pk if isinstance(value, self.model) else value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        code = normalize_code(text)
        if level_of(code) is not self.model:
            raise ValidationError(
                _("Enter a code such as %(example)s."),
                code="invalid",
                params={"example": CODE_EXAMPLES[self.model]},
            )
        instance = self.model.objects.filter(pk=code).first()
        if instance is None:
            raise ValidationError(UNKNOWN_CODE[self.model], code="unknown", params={"code": code})
        if not self.queryset.filter(pk=code).exists():
            raise ValidationError(
                OUTSIDE_AREA[self.model],
                code="outside_area",
                params={"code": code, "name": instance.name},
            )
        return instance


def parse_target(text: str) -> int:
    """A target as typed: "3000", "3.000" or "3,000"; whole and at least 1."""
    digits = re.sub(r"(?<=[0-9])[.,](?=[0-9]{3}\b)", "", text)
    if not digits.isdigit() or not 1 <= int(digits) <= MAX_TARGET:
        raise ValueError(text)
    return int(digits)


def parse_village_lines(text: str) -> tuple[dict[str, int | None], list[str]]:
    """Read "35.23.12.2002 3000" lines (code, optional target, "# comment" ignored) into
    {code: target or None}, with one error message per bad line."""
    targets: dict[str, int | None] = {}
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = re.split(r"[\s;]+", line)
        code = normalize_code(words[0])
        if level_of(code) is not Village:
            errors.append(
                _("Line %(line)s: “%(text)s” is not a village code such as 35.23.12.2002.")
                % {"line": number, "text": words[0]}
            )
            continue
        if len(words) > 2:
            errors.append(
                _("Line %(line)s: write the village code and at most one target.")
                % {"line": number}
            )
            continue
        try:
            targets[code] = parse_target(words[1]) if len(words) == 2 else None
        except ValueError:
            errors.append(
                _("Line %(line)s: the target “%(text)s” must be a whole number from 1 to %(max)s.")
                % {"line": number, "text": words[1], "max": MAX_TARGET}
            )
    return targets, errors


class CategoriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=WorkerCategory.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Worker categories that count"),
            help_text=_("None ticked: every category counts."),
            **kwargs,
        )


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    """The campaign, its scoring weights and changes to its villages, in one form."""

    categories = CategoriesField()
    add_regency = forms.ModelChoiceField(
        label=_("Add every village of a regency / city"),
        queryset=Regency.objects.none(),
        required=False,
    )
    add_district = AreaCodeField(
        model=District,
        label=_("Add every village of a district (code)"),
        required=False,
        help_text=_("E.g. 35.23.12 for Jenu; dots are optional."),
    )
    villages = forms.CharField(
        label=_("Villages added one by one, and villages with their own target"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "35.23.12.2002 3000"}),
        help_text=_(
            "One village per line: its code, then its own target if it differs from the target "
            "per village (e.g. 35.23.12.2002 3000). A village taken off this list goes back to "
            "the target per village; it stays in the campaign."
        ),
    )
    remove = forms.CharField(
        label=_("Remove villages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "35.23.08.2016"}),
        help_text=_("Codes of villages, or of a district or regency to remove all its villages."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "kind",
            "branch_office",
            "starts_on",
            "ends_on",
            "description",
            "default_target",
            "counts",
            "categories",
            "counts_employer_covered",
            "officials_goal_percent",
            "desa_only",
            "is_public",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"slug": _("Used in the page address; made from the name when empty.")}

    WEIGHT_PREFIX = "weight_"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.area = area_querysets(user)
        self.fields["slug"].required = False
        # The model allows 0 and any percentage size; a campaign needs a target of 1 or more.
        self.fields["default_target"].validators.append(MinValueValidator(1))
        self.fields["default_target"].widget.attrs["min"] = 1
        self.fields["officials_goal_percent"].validators.append(MaxValueValidator(100))
        self.fields["officials_goal_percent"].widget.attrs["max"] = 100
        if user.is_admin:
            self.fields["branch_office"].required = True
        else:
            del self.fields["branch_office"]
            if self.instance.pk is None:
                self.instance.branch_office = user.branch_office
        self.fields["add_regency"].queryset = self.area[Regency]
        district_field = self.fields["add_district"]
        district_field.queryset = self.area[District]
        if not user.is_admin:  # thousands of districts nationwide: suggestions only for an area
            district_field.widget.options = lambda: (
                (d.code, f"{d.name}, {d.regency.name}")
                for d in self.area[District].select_related("regency")
            )
        if self.instance.pk:
            weights = {c.measure: c.weight for c in self.instance.criteria.all()}
        else:
            weights = {ScoreCriterion.Measure.TARGET: 1}
        for measure, label in ScoreCriterion.Measure.choices:
            self.fields[self.WEIGHT_PREFIX + measure] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=100,
                initial=weights.get(measure, 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        self.fields[self.WEIGHT_PREFIX + ScoreCriterion.Measure.TARGET].help_text = _(
            "Weights of the ranking score; 0 = not used. All 0: ranked by the share of the target."
        )
        if self.instance.pk:
            self.own_targets = list(
                self.instance.participations.filter(
                    target_override__isnull=False, village__in=self.area[Village]
                )
                .select_related("village")
                .order_by("village")
            )
            self.initial.setdefault(
                "villages",
                "\n".join(
                    f"{p.village_id} {p.target_override}  # {p.village.name}"
                    for p in self.own_targets
                ),
            )
        else:
            self.own_targets = []
            del self.fields["remove"]

    def sections(self) -> list[tuple[Any, list]]:
        """The fields in groups, for a form that reads well on a phone."""
        names = [
            (_("Campaign"), ["name", "slug", "kind", "branch_office", "starts_on", "ends_on",
                             "description", "is_public"]),
            (_("Targets and what counts"), ["default_target", "counts", "categories",
                                             "counts_employer_covered",
                                             "officials_goal_percent"]),
            (_("Ranking score"), [self.WEIGHT_PREFIX + m for m in ScoreCriterion.Measure.values]),
            (_("Villages"), ["desa_only", "add_regency", "add_district", "villages", "remove"]),
        ]  # fmt: skip
        return [(title, [self[n] for n in group if n in self.fields]) for title, group in names]

    def clean_villages(self) -> dict[str, int | None]:
        targets, errors = parse_village_lines(self.cleaned_data["villages"])
        if errors:
            raise ValidationError(errors)
        known = dict(Village.objects.filter(code__in=targets).values_list("code", "name"))
        in_area = set(self.area[Village].filter(code__in=targets).values_list("code", flat=True))
        for code in targets:
            if code not in known:
                errors.append(UNKNOWN_CODE[Village] % {"code": code})
            elif code not in in_area:
                errors.append(OUTSIDE_AREA[Village] % {"code": code, "name": known[code]})
        if errors:
            raise ValidationError(errors)
        return targets

    def clean_remove(self) -> list[str]:
        words = re.split(r"[\s,;]+", self.cleaned_data["remove"].strip())
        codes, errors = [], []
        taking_part = self.instance.participations.filter(village__in=self.area[Village])
        for word in filter(None, words):
            code = normalize_code(word)
            if not code or level_of(code) is None:
                errors.append(_("“%(text)s” is not a region code.") % {"text": word})
            elif not taking_part.filter(
                Q(village__code=code) | Q(village__code__startswith=f"{code}.")
            ).exists():
                errors.append(
                    _("No village of %(code)s in your area takes part in this campaign.")
                    % {"code": code}
                )
            else:
                codes.append(code)
        if errors:
            raise ValidationError(errors)
        return codes

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign must not end before it starts."))
        return cleaned

    def weights(self) -> dict[str, int]:
        return {
            measure: self.cleaned_data[self.WEIGHT_PREFIX + measure]
            for measure in ScoreCriterion.Measure.values
        }

    def village_changes(self) -> dict[str, Any]:
        """campaign_villages_set's arguments: a village taken off the list of own targets goes
        back to the campaign's target per village."""
        targets = {p.village_id: None for p in self.own_targets}
        targets.update(self.cleaned_data["villages"])
        return {
            "regency": self.cleaned_data["add_regency"],
            "district": self.cleaned_data["add_district"],
            "targets": targets,
            "remove": self.cleaned_data.get("remove", []),
        }


class EventForm(forms.ModelForm):
    village = AreaCodeField(
        model=Village,
        label=_("Village (code)"),
        required=False,
        help_text=_("E.g. 35.23.12.2002; leave empty for an event for a whole district."),
    )
    district = AreaCodeField(
        model=District,
        label=_("District (code)"),
        required=False,
        help_text=_("Filled in from the village when empty."),
    )

    class Meta:
        model = SocializationEvent
        fields = [
            "held_on",
            "kind",
            "place",
            "village",
            "district",
            "attendees",
            "campaign",
            "notes",
        ]
        widgets = {"held_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        area = area_querysets(user)
        self.fields["village"].queryset = area[Village]
        self.fields["district"].queryset = area[District]
        if not user.is_admin:  # suggestions by name for the area; nationwide is too many
            self.fields["village"].widget.options = lambda: (
                (v.code, f"{v.name}, {v.district.name}")
                for v in area[Village].select_related("district")
            )
            self.fields["district"].widget.options = lambda: (
                (d.code, f"{d.name}, {d.regency.name}")
                for d in area[District].select_related("regency")
            )
        self.fields["campaign"].queryset = Campaign.objects.for_user(user).order_by(
            "-starts_on", "name"
        )
        self.fields["attendees"].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        cleaned = super().clean()
        village, district = cleaned.get("village"), cleaned.get("district")
        if self.has_error("village") or self.has_error("district"):
            return cleaned
        if village is None and district is None:
            raise ValidationError(_("Name the village or the district where the event was held."))
        if village is not None:
            if district is not None and village.district_id != district.pk:
                self.add_error("village", _("The village is not in the district given."))
            cleaned["district"] = village.district
        return cleaned


class BudgetForm(forms.Form):
    workers = forms.IntegerField(
        label=_("Workers"),
        min_value=0,
        max_value=MAX_TARGET,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    months = forms.IntegerField(
        label=_("Months"),
        min_value=1,
        max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
