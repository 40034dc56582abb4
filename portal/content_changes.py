"""Which saved or deleted rows change which cached page content (portal.page_cache).

Every model of the portal's apps marks ALL, the scope every cached page depends on, except:
- the registrations' family, which marks REGISTRATIONS and its villages (a village's page
  does not change when a registration elsewhere does);
- the campaign numbers the tally keeps, which it marks itself (campaigns.tally);
- records that no cached page shows (audit, notifications, imports in progress, ...).
Writes that bypass these signals (bulk updates, COPY) are marked where they happen: the
campaign tally marks the villages and campaigns whose numbers it changes, and a load of the
region names announces itself (villages.signals.region_names_changed).

Each app declares its own models here from its AppConfig.ready (declare()), so that portal
names no model of the floors above it. Receivers are connected per model, never for all
senders: a model with a delete receiver is deleted row by row, so the models deleted in bulk
(the tally's, the import rows) get none."""

from collections.abc import Callable

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from villages.signals import region_names_changed

from . import page_cache

# Labels ("app.model") of the models that no cached page shows, or whose changes their own
# code marks: no receivers.
NOT_SHOWN: set[str] = set()
# Functions (instance, created) -> the village codes of a row of the registrations' family,
# or None for any other row: declared by enrollment.
_FAMILIES: list[Callable] = []


def declare(
    app_label: str,
    *,
    not_shown: set[str] = frozenset(),
    villages_of: Callable | None = None,
) -> None:
    """Connect the receivers of an app's models: `not_shown` the labels to leave out (shown
    nowhere, or marked by their own code), `villages_of` how to tell the app's rows of the
    registrations' family and their villages."""
    NOT_SHOWN.update(not_shown)
    if villages_of is not None:
        _FAMILIES.append(villages_of)
    for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
        if model._meta.label_lower in NOT_SHOWN:
            continue
        uid = f"portal.content_changes.{model._meta.label_lower}"
        post_save.connect(mark, sender=model, dispatch_uid=uid)
        post_delete.connect(mark, sender=model, dispatch_uid=uid)
        m2m_changed.connect(mark, sender=model, dispatch_uid=uid)


def _villages_of(instance, created: bool) -> list[str] | None:
    """The villages of a row of the registrations' family; None for any other row."""
    for villages_of in _FAMILIES:
        villages = villages_of(instance, created)
        if villages is not None:
            return villages
    return None


def mark(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    if sender._meta.label_lower == "portal.user" and set(update_fields or ()) == {"last_login"}:
        return  # what a user may see is part of the cache key; a login changes none of it
    villages = _villages_of(instance, created)
    if villages is None:
        page_cache.changed(page_cache.ALL)
    else:
        page_cache.changed(page_cache.REGISTRATIONS, *map(page_cache.village_scope, villages))


def names_changed(sender, **kwargs) -> None:
    page_cache.changed(page_cache.ALL)  # the names every page shows


def connect() -> None:
    """The portal's own models and the reference data's (the apps above declare theirs)."""
    declare(
        "portal",
        not_shown={
            "portal.auditevent",
            "portal.contentversion",
            "portal.invitation",
            "portal.notification",
        },
    )
    declare("villages")
    region_names_changed.connect(names_changed, dispatch_uid="portal.content_changes.names")
