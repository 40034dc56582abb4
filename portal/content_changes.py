"""Which saved or deleted rows change which cached page content (portal.page_cache).

Every model of the portal's apps marks ALL, the scope every cached page depends on, except:
- the registrations' family, which marks REGISTRATIONS and its villages (a village's page
  does not change when a registration elsewhere does);
- the campaign numbers the tally keeps, which it marks itself (campaigns.tally);
- records that no cached page shows (audit, notifications, imports in progress, ...).
Writes that bypass these signals (bulk updates, COPY) are marked where they happen: the
campaign tally marks the villages and campaigns whose numbers it changes.

Receivers are connected per model, never for all senders: a model with a delete receiver is
deleted row by row, so the models deleted in bulk (the tally's, the import rows) get none."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import page_cache

APPS = {"portal", "villages", "enrollment", "campaigns", "opensid"}
KEPT_BY_TALLY = {"campaigns.campaignvillage", "campaigns.campaignarea", "campaigns.campaignweek"}
NOT_SHOWN = {
    "portal.auditevent",
    "portal.contentversion",
    "portal.invitation",
    "portal.notification",
    "enrollment.exportrecord",
    "enrollment.importbatch",
    "enrollment.importrow",
    "opensid.residentupload",
    "opensid.residentcandidate",
}


REGISTRATION_FAMILY = {
    "enrollment.fundedperiod",
    "enrollment.registrationevent",
    "enrollment.followup",
}


def _villages_of(instance, created: bool) -> list[str] | None:
    """The villages of a row of the registrations' family; None for any other row."""
    from enrollment.models import Registration

    label = instance._meta.label_lower
    if label == "enrollment.registration":
        return [instance.village_id]
    if label == "enrollment.participant":
        if created:
            return []  # its registration comes next, and marks its village
        registrations = Registration.objects.filter(participant=instance.pk)
    elif label in REGISTRATION_FAMILY:
        registrations = Registration.objects.filter(pk=instance.registration_id)
    else:
        return None
    return list(registrations.values_list("village_id", flat=True))


def mark(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if sender._meta.label_lower == "portal.user" and set(update_fields or ()) == {"last_login"}:
        return  # what a user may see is part of the cache key; a login changes none of it
    villages = _villages_of(instance, created)
    if villages is None:
        page_cache.changed(page_cache.ALL)
    else:
        page_cache.changed(page_cache.REGISTRATIONS, *map(page_cache.village_scope, villages))


def connect() -> None:
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label_lower in NOT_SHOWN | KEPT_BY_TALLY:
                continue
            uid = f"portal.content_changes.{model._meta.label_lower}"
            post_save.connect(mark, sender=model, dispatch_uid=uid)
            post_delete.connect(mark, sender=model, dispatch_uid=uid)
            m2m_changed.connect(mark, sender=model, dispatch_uid=uid)
