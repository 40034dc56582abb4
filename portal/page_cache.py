"""The content of the busiest pages, served from the cache until something it shows changes.
Why it exists: docs/performance.md, "Cached content" (served 0.8–2.1× a trivial view, rendered
7.9–24×).

A page's content (its title and the part inside <main>) is cached under a key made of the
page's address, the language, the day, what the viewer may see (role, branch office, village)
and the versions of the scopes the page depends on. The layout around it (menu, bell,
messages, the CSRF token) is rendered on every request, so a hit costs little more than the
layout itself.

Versions are random tokens kept in ContentVersion, one row per scope:
- ALL: anything an admin or a service saves, except the registrations' own family below;
  every cached page depends on it;
- REGISTRATIONS: any registration, participant or funded period (the verification queue);
- village_scope(code): a registration of that village (the village page);
- campaign_scope(slug): the kept numbers of that campaign (dashboards, tables, leaderboard).

A change marks its scopes with changed(); they get new tokens when its transaction commits.
A reader reads the versions before the data, through the same database, so content cached
under a version is never older than the writes that came before that version. Writes made
behind the portal's back (raw SQL, a restored backup) show after PAGE_CACHE_SECONDS at most,
or at once after `manage.py reconcile_tallies`, which marks ALL.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

ALL = "all"
REGISTRATIONS = "registrations"
# Stands in for the CSRF token inside cached content; each response gets its own token.
CSRF_PLACEHOLDER = "page-cache-csrf-token-placeholder"
PARTS = {"title", "content"}

# The test suite sets this: its tests run inside a transaction that never commits.
BUMP_INSIDE_TRANSACTIONS = False


def campaign_scope(slug: str) -> str:
    return f"campaign:{slug}"


def on_campaign(request, slug: str) -> list[str]:
    """What a campaign's own pages (at .../<slug>/) depend on, for cached_content."""
    return [campaign_scope(slug)]


def village_scope(code: str) -> str:
    return f"village:{code}"


def changed(*scopes: str) -> None:
    """Pages depending on these scopes show the change once the current transaction commits."""
    if not scopes:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block and not BUMP_INSIDE_TRANSACTIONS:
        _pending(connection).update(scopes)
    else:
        _bump(scopes)


def _pending(connection) -> set[str]:
    """The scopes this transaction has marked so far: one bump for all of them at commit."""
    callback = getattr(connection, "page_cache_callback", None)
    if callback is None or all(hook[1] is not callback for hook in connection.run_on_commit):
        # The first mark of this transaction (a rolled-back one dropped its callback).
        callback = connection.page_cache_callback = partial(_bump, set())
        transaction.on_commit(callback, robust=True)
    return callback.args[0]


def _bump(scopes) -> None:
    from .models import ContentVersion

    ContentVersion.objects.bulk_create(
        [ContentVersion(scope=scope, token=secrets.randbits(62)) for scope in sorted(set(scopes))],
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["token"],
    )


def content_key(request, scopes: list, address: str | None = None) -> str:
    """`scopes`: scope names, and subqueries of scope names (querysets or RawSQL); one query
    reads them all. `address`: the page's address as keyed (by default the full path)."""
    from .models import ContentVersion

    named = [scope for scope in scopes if isinstance(scope, str)]
    wanted = Q(scope__in=named)
    for subquery in (scope for scope in scopes if not isinstance(scope, str)):
        wanted |= Q(scope__in=subquery)
    tokens = dict(ContentVersion.objects.filter(wanted).values_list("scope", "token"))
    user = request.user
    viewer = (
        f"{user.role}:{user.branch_office_id}:{user.village_id}"
        if user.is_authenticated
        else "anonymous"
    )
    parts = [
        request.resolver_match.view_name,
        request.get_full_path() if address is None else address,
        get_language(),
        timezone.localdate().isoformat(),
        viewer,
        # A named scope never changed has no row yet; a scope a subquery names is keyed by
        # its row, which its first change creates.
        *(f"{scope}={tokens.pop(scope, 0)}" for scope in named),
        *(f"{scope}={token}" for scope, token in sorted(tokens.items())),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


MAX_CACHED_PAGE = 5000


def page_number(value: str) -> str | None:
    """A ?page= worth a cache entry: a page number up to MAX_CACHED_PAGE (83,762 villages are
    1,676 pages of 50); anything else is rendered, not cached."""
    return value if value.isdigit() and 0 < int(value) <= MAX_CACHED_PAGE else None


def _known_address(request, params: dict[str, Callable[[str], str | None]]) -> str | None:
    """The path and only the `params` the page reads, each as its normaliser writes it: junk
    query strings (?x=1, ?x=2, ...) share one entry. None when a parameter's value is not
    worth an entry."""
    known = []
    for name, normalise in sorted(params.items()):
        if name in request.GET:
            value = normalise(request.GET[name])
            if value is None:
                return None
            known.append((name, value))
    return request.path + ("?" + urlencode(known) if known else "")


def cached_content(depends_on, *, params: dict[str, Callable[[str], str | None]] | None = None):
    """Serve a page's content from the cache while the scopes `depends_on(request, *args,
    **kwargs)` names are unchanged. GET only; the view's own checks (login, role) run before
    it, and only a 200 answer is kept. The page's template extends base.html.

    `params`: the query parameters the page reads, each with a normaliser; the key then holds
    only those, so that anonymous visitors cannot add a cache entry per made-up query string.
    Without it, the key holds the whole address (pages behind the login)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET" or not settings.PAGE_CACHE_SECONDS:
                return view(request, *args, **kwargs)
            address = None
            if params is not None:
                address = _known_address(request, params)
                if address is None:
                    return view(request, *args, **kwargs)
            scopes = [ALL, *depends_on(request, *args, **kwargs)]
            key = content_key(request, scopes, address)
            parts = _cache_call(cache.get, key)
            if parts is not None:
                return render(request, "base.html", {"cached_parts": parts})
            request.page_parts = {}
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and set(request.page_parts) == PARTS:
                _cache_call(cache.set, key, request.page_parts, settings.PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator


def _cache_call(method, *args):
    """The cache speeds pages up; when it cannot be reached, pages are rendered instead."""
    try:
        return method(*args)
    except Exception:  # the cache client's own errors: connection refused, timeout, ...
        logger.warning("Page cache unavailable; rendering the page")
        return None
