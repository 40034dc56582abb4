"""A registration's history in sentences a person reads: "Penghasilan diubah dari Rp5.000.000
menjadi Rp1.500.000", "Diverifikasi dengan KPJ 19099990001"; never field names, True or None.

Pure: reads an event's `changes` ({field: [old, new]}) and the models' field names."""

import datetime

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal import formatting
from portal.phone import format_phone

from .models import Participant, Registration, RegistrationEvent

# Said by the event's action itself ("Verified", "Rejected").
SAID_BY_THE_ACTION = {"status"}
AMOUNTS = {"declared_income", "monthly_premium"}


def _label(name: str) -> str:
    if name == "declared_income":
        return _("Income")
    for model in (Registration, Participant):
        try:
            return capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return capfirst(name.replace("_", " "))


def _value(name: str, value) -> str:
    """A stored value as the pages show it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name in AMOUNTS:
        return formatting.rupiah(int(value))
    if name == "phone":
        try:
            return format_phone(value)
        except ValidationError:
            return str(value)
    if name == "birth_date":
        try:
            return datetime.date.fromisoformat(value).strftime("%d-%m-%Y")
        except (TypeError, ValueError):
            return str(value)
    for model in (Registration, Participant):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
    return str(value)


def event_lines(event: RegistrationEvent) -> list[str]:
    """The sentences under one event of the history."""
    lines = []
    for name, (old, new) in event.changes.items():
        if name in SAID_BY_THE_ACTION:
            continue
        if name == "kpj":
            lines.append(_("Verified with KPJ %(kpj)s") % {"kpj": new})
            continue
        values = {"field": _label(name), "old": _value(name, old), "new": _value(name, new)}
        if old in (None, ""):
            lines.append(_("%(field)s set to %(new)s") % values)
        elif new in (None, ""):
            lines.append(_("%(field)s removed (was %(old)s)") % values)
        else:
            lines.append(_("%(field)s changed from %(old)s to %(new)s") % values)
    return lines
