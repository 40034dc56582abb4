"""The permission matrix: every URL of the project, taken from the URLconf itself (includes and
the admin site too, so a new view cannot escape it), × every role: the exact answer, and no
personal data of Socorejo across a village or branch boundary, by GET, POST, export or admin.

Each role's request runs in a savepoint rolled back afterwards, so an action one role performs
(verifying, importing, deactivating) does not change what the next role is asked."""

import functools
import io
from http.cookies import Morsel
from types import SimpleNamespace
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from enrollment.models import Participant, Registration
from enrollment.nik import mask_nik

from .access_objects import SECRET_NAME, secrets_of, socorejo_objects  # noqa: F401 (fixture)

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",  # KC Bojonegoro: Tuban, Socorejo's regency
    "other_branch": "other_branch_staff",  # KC Purwokerto: Banyumas
    "operator": "operator",  # Socorejo
    "other_operator": "other_operator",  # Karanglewas
}
# Roles that must never see Socorejo's personal data.
OUT_OF_SCOPE = {"anonymous", "inactive", "other_branch", "other_operator"}


def expect(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


ALL_200 = expect(200, 200, 200, 200, 200, 200, 200)
LOGGED_IN_200 = expect(302, 302, 200, 200, 200, 200, 200)
MANAGERS_200 = expect(302, 302, 200, 200, 200, 403, 403)
IN_SCOPE_200 = expect(302, 302, 200, 200, 404, 200, 404)
MANAGERS_IN_SCOPE_200 = expect(302, 302, 200, 200, 404, 403, 403)

# url name: (method, {role: status}). Roles in ROLES order: anonymous, inactive, admin, branch,
# other_branch, operator, other_operator. Objects are Socorejo's (see access_objects).
MATRIX = {
    # portal
    "home": ("get", expect(302, 302, 302, 302, 302, 302, 302)),
    "branch_home": ("get", expect(302, 302, 403, 200, 200, 403, 403)),
    "village_home": ("get", expect(302, 302, 403, 403, 403, 200, 200)),
    "no_role": ("get", expect(302, 302, 403, 403, 403, 403, 403)),
    "health": ("get", ALL_200),
    "set_language": ("post", expect(302, 302, 302, 302, 302, 302, 302)),
    # accounts (Django's auth views and the portal's)
    "login": ("get", expect(200, 200, 302, 302, 302, 302, 302)),
    "logout": ("post", expect(302, 302, 302, 302, 302, 302, 302)),
    "password_change": ("get", LOGGED_IN_200),
    "password_change_done": ("get", LOGGED_IN_200),
    "password_reset": ("get", ALL_200),
    "password_reset_done": ("get", ALL_200),
    "password_reset_confirm": ("get", ALL_200),
    "password_reset_complete": ("get", ALL_200),
    "account_settings": ("get", LOGGED_IN_200),
    "account_list": ("get", MANAGERS_200),
    "account_create": ("get", MANAGERS_200),
    "staff_account_create": ("get", expect(302, 302, 200, 403, 403, 403, 403)),
    "account_bulk_create": ("get", MANAGERS_200),
    "account_deactivate": ("get", MANAGERS_IN_SCOPE_200),
    # A renewed invitation answers its printable slip, not a redirect.
    "invitation_renew": ("post", MANAGERS_IN_SCOPE_200),
    # Out of area the selection is empty: back to the list with a message.
    "invitation_slips": ("post", expect(302, 302, 200, 200, 302, 403, 403)),
    "invitation_accept": ("get", ALL_200),
    # Two-factor authentication, for administrators and branch staff; without a device the
    # "off" page and the code page send the user on.
    "two_factor_setup": ("get", MANAGERS_200),
    "two_factor_disable": ("get", expect(302, 302, 302, 302, 302, 403, 403)),
    "two_factor_verify": ("get", expect(302, 302, 302, 302, 302, 302, 302)),
    "notification_list": ("get", LOGGED_IN_200),
    # Only the notification's own user (Socorejo's operator) may mark it read.
    "notification_read": ("post", expect(302, 302, 404, 404, 404, 302, 404)),
    "notification_read_all": ("post", expect(302, 302, 302, 302, 302, 302, 302)),
    # campaigns
    "agreement_list": ("get", LOGGED_IN_200),
    "agreement_detail": ("get", IN_SCOPE_200),
    "agreement_document": ("get", IN_SCOPE_200),
    "campaign_list": ("get", LOGGED_IN_200),
    "campaign_create": ("get", MANAGERS_200),
    "campaign_dashboard": ("get", IN_SCOPE_200),
    "campaign_villages": ("get", IN_SCOPE_200),
    "campaign_agents": ("get", MANAGERS_IN_SCOPE_200),
    "campaign_villages_export": ("get", MANAGERS_IN_SCOPE_200),
    "campaign_edit": ("get", MANAGERS_IN_SCOPE_200),
    "budget_planner": ("get", IN_SCOPE_200),
    "event_list": ("get", LOGGED_IN_200),
    "event_create": ("get", MANAGERS_200),
    "public_leaderboard": ("get", ALL_200),  # a public campaign: aggregates only
    "public_campaigns": ("get", ALL_200),  # the front door: aggregates, places and dates
    "claim_list": ("get", MANAGERS_200),
    # enrollment
    "registration_list": ("get", LOGGED_IN_200),
    "registration_create": ("get", expect(302, 302, 403, 403, 403, 200, 200)),
    "registration_detail": ("get", IN_SCOPE_200),
    "registration_edit": ("get", expect(302, 302, 200, 403, 403, 200, 404)),
    "registration_verify": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_reject": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_activate": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_withdraw": ("post", expect(302, 302, 302, 403, 403, 302, 404)),
    "favicon": ("get", expect(302, 302, 302, 302, 302, 302, 302)),
    "funded_period_create": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    "verification_queue": ("get", MANAGERS_200),
    "lapsing_list": ("get", LOGGED_IN_200),
    "lapsing_print": ("get", LOGGED_IN_200),
    "follow_up_create": ("get", IN_SCOPE_200),
    "follow_up_quick": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    "agent_list": ("get", LOGGED_IN_200),
    "agent_detail": ("get", IN_SCOPE_200),
    "registration_import": ("get", LOGGED_IN_200),
    "registration_import_template": ("get", LOGGED_IN_200),
    "registration_export": ("get", LOGGED_IN_200),
    # An import batch (a whole file of personal data) is seen only by the operator who uploaded it.
    "registration_import_preview": ("get", expect(302, 302, 404, 404, 404, 200, 404)),
    "registration_import_errors": ("get", expect(302, 302, 404, 404, 404, 200, 404)),
    "registration_import_confirm": ("post", expect(302, 302, 404, 404, 404, 302, 404)),
    "arrears_list": ("get", LOGGED_IN_200),
    "arrears_follow_up": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    # Payments are uploaded by branch staff; an upload is seen only by its uploader.
    "payment_upload": ("get", MANAGERS_200),
    "payment_upload_template": ("get", MANAGERS_200),
    "payment_upload_preview": ("get", expect(302, 302, 404, 200, 404, 403, 403)),
    "payment_upload_errors": ("get", expect(302, 302, 404, 200, 404, 403, 403)),
    "payment_upload_confirm": ("post", expect(302, 302, 404, 302, 404, 403, 403)),
    # opensid: an upload is seen by whoever may see its village; a batch only by its maker
    "opensid_upload": ("get", LOGGED_IN_200),
    "opensid_demo_export": ("get", expect(302, 302, 404, 404, 404, 404, 404)),  # demo mode only
    "opensid_candidates": ("get", IN_SCOPE_200),
    "opensid_register": ("post", IN_SCOPE_200),  # nothing ticked: the page again, with errors
    "opensid_upload_delete": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    "opensid_batch": ("get", expect(302, 302, 404, 404, 404, 200, 404)),
    "opensid_batch_confirm": ("post", expect(302, 302, 404, 404, 404, 302, 404)),
    "opensid_programme_export": ("get", IN_SCOPE_200),
    # villages
    "village_data_list": ("get", LOGGED_IN_200),
    "village_data_import": ("get", MANAGERS_200),
    "village_data_edit": ("get", IN_SCOPE_200),
}  # fmt: skip

# Downloads are tried in every format they offer.
FORMATS = {
    "registration_export": ["csv", "xlsx", "bpjs"],
    "registration_import_template": ["csv", "xlsx"],
    "payment_upload_template": ["csv", "xlsx"],
    "campaign_villages_export": ["csv", "xlsx"],
}


def url_args(name, objects, users) -> list:
    """The arguments of a URL, built from Socorejo's objects."""
    registration, member = objects.registration, objects.member
    return {
        "password_reset_confirm": ["MQ", "not-a-token"],
        "account_deactivate": [users.operator.pk],
        "invitation_renew": [users.operator.pk],
        "invitation_accept": [objects.invitation.token],
        "notification_read": [objects.notification.pk],
        "agreement_detail": [objects.agreement.pk],
        "agreement_document": [objects.agreement.pk],
        "campaign_dashboard": [objects.campaign.slug],
        "campaign_villages": [objects.campaign.slug],
        "campaign_agents": [objects.campaign.slug],
        "campaign_edit": [objects.campaign.slug],
        "campaign_villages_export": [objects.campaign.slug],
        "budget_planner": [objects.campaign.slug, objects.registration.village_id],
        "public_leaderboard": [objects.campaign.slug],
        "registration_detail": [registration.pk],
        "registration_edit": [registration.pk],
        "registration_verify": [registration.pk],
        "registration_reject": [registration.pk],
        "registration_activate": [registration.pk],
        "registration_withdraw": [registration.pk],
        "funded_period_create": [registration.pk],
        "follow_up_create": [member.pk],
        "follow_up_quick": [member.pk],
        "agent_detail": [objects.agent.pk],
        "registration_import_preview": [objects.batch.pk],
        "registration_import_errors": [objects.batch.pk],
        "registration_import_confirm": [objects.batch.pk],
        "arrears_follow_up": [member.pk],
        "payment_upload_preview": [objects.payment_upload.pk],
        "payment_upload_errors": [objects.payment_upload.pk],
        "payment_upload_confirm": [objects.payment_upload.pk],
        "village_data_edit": [objects.registration.village_id],
        "opensid_candidates": [objects.opensid_upload.pk],
        "opensid_register": [objects.opensid_upload.pk],
        "opensid_upload_delete": [objects.opensid_upload.pk],
        "opensid_batch": [objects.opensid_upload.pk, objects.opensid_batch.pk],
        "opensid_batch_confirm": [objects.opensid_upload.pk, objects.opensid_batch.pk],
        "opensid_programme_export": [objects.campaign.slug, objects.registration.village_id],
    }.get(name, [])


def post_data(name, objects, users) -> dict:
    """Harmless data for the actions (each request is rolled back anyway)."""
    return {
        "set_language": {"language": "id", "next": "/"},
        "invitation_slips": {"accounts": [users.operator.pk]},
        "registration_verify": {"kpj": "19000000001"},
        "registration_reject": {"reason": "Data tidak lengkap"},
        "funded_period_create": {
            "funding_source": "dana_desa", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
        },
        "follow_up_quick": {"channel": "whatsapp"},
        "arrears_follow_up": {"channel": "whatsapp"},
    }.get(name, {})  # fmt: skip


def urls_for(name, objects, users) -> list[str]:
    args = url_args(name, objects, users)
    if name in FORMATS:
        return [reverse(name, args=[*args, fmt]) for fmt in FORMATS[name]]
    return [reverse(name, args=args)]


# The URLconf -----------------------------------------------------------------------------------


def all_patterns(patterns=None, namespace="", prefix=""):
    """(namespace, name, route) of every URL pattern, recursing into includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from all_patterns(pattern.url_patterns, inner, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def project_url_names() -> set[str]:
    return {name for namespace, name, _route in all_patterns() if not namespace}


ADMIN_SITE_URLS = {
    "index", "login", "logout", "password_change", "password_change_done", "autocomplete",
    "jsi18n", "view_on_site", "app_list", None,  # None: the catch-all, answered like the index
}  # fmt: skip
ADMIN_MODEL_VIEWS = ["changelist", "add", "change", "history", "delete"]


def test_the_matrix_covers_every_url_of_the_project():
    """Every URL pattern outside the admin has a name and a row in the matrix, and every row is a
    URL that exists: a new view fails this test until its answers are written down."""
    unnamed = [route for ns, name, route in all_patterns() if not ns and name is None]
    assert unnamed == []
    assert project_url_names() == set(MATRIX)


def test_every_admin_url_is_tried():
    """The admin's URLs are the site's own plus five per registered model; every one of them is
    covered by the admin tests below."""
    registered = {
        f"{model._meta.app_label}_{model._meta.model_name}_{view}"
        for model in admin.site._registry
        for view in ADMIN_MODEL_VIEWS
    }
    extra = {name for model in admin.site._registry for name, _pattern in extra_admin_urls(model)}
    names = {name for ns, name, _route in all_patterns() if ns == "admin"}
    assert names == registered | extra | ADMIN_SITE_URLS
    # The unnamed patterns: one "<pk>/" redirect per model, and the catch-all.
    unnamed = [route for ns, name, route in all_patterns() if ns == "admin" and name is None]
    assert len(unnamed) == len(admin.site._registry) + 1


# Asking ----------------------------------------------------------------------------------------


@pytest.fixture
def users(request, world):
    """The users of each role, and one client per role (logged in once)."""
    found = {role: request.getfixturevalue(fixture) for role, fixture in ROLE_FIXTURES.items()}
    return SimpleNamespace(**found, clients={})


@functools.cache
def shared_handler() -> ClientHandler:
    """One request handler for all the clients: building the middleware (WhiteNoise scans every
    static file) for each of the matrix's clients would take most of its time."""
    return ClientHandler(enforce_csrf_checks=False)


def client_for(users, role) -> Client:
    client = users.clients.get(role)
    if client is None:
        client = Client()
        client.handler = shared_handler()
        if role != "anonymous":
            client.force_login(getattr(users, role))
        users.clients[role] = client
    return client


def ask(users, role, method, url, data=None):
    """One request as `role`, in a savepoint rolled back afterwards."""
    client = client_for(users, role)
    with transaction.atomic():
        response = getattr(client, method)(url, data or {})
        body = body_text(response)
        transaction.set_rollback(True)
    if role != "anonymous" and not client.cookies.get(settings.SESSION_COOKIE_NAME, Morsel()).value:
        del users.clients[role]  # logged out (or never in): the next request logs in again
    return response, body


def body_text(response) -> str:
    """What a person receives: the page, or the downloaded file's cells."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace") + response.get("Location", "")


def leaked(body: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in body]


@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer_and_nothing_across_a_boundary(users, socorejo, name):
    """Out of scope answers 404 (as if missing), the wrong role 403, anonymous and deactivated
    users are sent to log in; whatever the answer, no role outside Socorejo's village and branch
    receives its participants' names, NIKs or phone numbers."""
    method, expected = MATRIX[name]
    secrets = secrets_of(socorejo)
    answers, leaks = {}, {}
    for url in urls_for(name, socorejo, users):
        for role in ROLES:
            data = post_data(name, socorejo, users)
            response, body = ask(users, role, method, url, data)
            answers[(url, role)] = response.status_code
            if role in OUT_OF_SCOPE and leaked(body, secrets):
                leaks[(url, role)] = leaked(body, secrets)
    wrong = {key: status for key, status in answers.items() if status != expected[key[1]]}
    assert wrong == {}, f"expected {expected}"
    assert leaks == {}


def test_the_leak_detector_sees_personal_data_where_it_is_shown(users, socorejo):
    """A control: in scope, the same checks find the name, the NIK and the phone in the detail
    page and in both spreadsheet formats, so their absence elsewhere means something."""
    registration = socorejo.registration
    _response, body = ask(
        users, "branch", "get", urls_for("registration_detail", socorejo, users)[0]
    )
    assert SECRET_NAME in body
    for url in urls_for("registration_export", socorejo, users):
        for role in ("branch", "operator"):
            response, body = ask(users, role, "get", url)
            assert response.status_code == 200
            assert SECRET_NAME in body, url
            assert registration.participant.nik in body, url
    assert leaked(body, secrets_of(socorejo)) != []


@pytest.mark.parametrize("name", [n for n, (method, _) in MATRIX.items() if method == "post"])
def test_actions_change_nothing_when_asked_with_get(users, socorejo, name):
    """A state-changing action does not answer GET (Django's set_language redirects, changing
    nothing)."""
    for url in urls_for(name, socorejo, users):
        response, _body = ask(users, "admin", "get", url)
        # Django's set_language redirects a GET without changing anything.
        assert response.status_code == (302 if name == "set_language" else 405), url


def test_out_of_scope_actions_change_nothing(users, socorejo):
    """Another branch's and another village's POSTs leave Socorejo's data as it was (these are
    not rolled back: the views themselves must refuse)."""
    registration = socorejo.registration
    for role in ("other_branch", "other_operator", "anonymous", "inactive"):
        client = client_for(users, role)
        client.post(reverse("registration_verify", args=[registration.pk]), {"kpj": "19000000001"})
        client.post(reverse("registration_reject", args=[registration.pk]), {"reason": "x"})
        client.post(reverse("registration_import_confirm", args=[socorejo.batch.pk]))
        upload = socorejo.opensid_upload.pk
        client.post(reverse("opensid_batch_confirm", args=[upload, socorejo.opensid_batch.pk]))
        client.post(reverse("opensid_upload_delete", args=[upload]))
        client.post(reverse("invitation_slips"), {"accounts": [users.operator.pk]})
        client.post(reverse("account_deactivate", args=[users.operator.pk]))
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.events.count() == 1
    assert Registration.objects.count() == 2  # the batch was not imported
    assert socorejo.opensid_upload.candidates.exists()  # nor the OpenSID upload deleted
    users.operator.refresh_from_db()
    assert users.operator.is_active


# The admin site --------------------------------------------------------------------------------


def admin_model_urls(model) -> list[tuple[str, str]]:
    """(view, url) of every admin URL of a registered model, with one of its objects (or a pk
    that does not exist when the test world has none)."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    obj = model._default_manager.order_by("pk").first()
    pk = obj.pk if obj is not None else 0
    urls = [("changelist", reverse(f"{info}_changelist")), ("add", reverse(f"{info}_add"))]
    for view in ("change", "history", "delete"):
        urls.append((view, reverse(f"{info}_{view}", args=[pk])))
    urls.append(("object", reverse(f"{info}_change", args=[pk]).removesuffix("change/")))
    for name, pattern in extra_admin_urls(model):  # e.g. the user admin's password form
        urls.append(
            (name, reverse(f"admin:{name}", args=[pk] if pattern.pattern.converters else []))
        )
    return urls


def extra_admin_urls(model):
    """(name, pattern) of a model admin's own URLs beyond the five every model has."""
    standard = {f"{model._meta.app_label}_{model._meta.model_name}_{v}" for v in ADMIN_MODEL_VIEWS}
    return [
        (pattern.name, pattern)
        for pattern in admin.site._registry[model].get_urls()
        if isinstance(pattern, URLPattern) and pattern.name and pattern.name not in standard
    ]


def admin_site_urls(socorejo) -> list[str]:
    participant = socorejo.registration.participant
    content_type = ContentType.objects.get_for_model(Participant)
    return [
        reverse("admin:index"),
        reverse("admin:logout"),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
        reverse("admin:autocomplete") + "?app_label=enrollment&model_name=registration"
        "&field_name=participant&term=Rahasia",
        reverse("admin:jsi18n"),
        reverse("admin:view_on_site", args=[content_type.pk, participant.pk]),
        reverse("admin:app_list", args=["enrollment"]),
        reverse("admin:index") + "no-such-page/",
    ]


NON_ADMIN_ROLES = [role for role in ROLES if role != "admin"]


def assert_sent_to_log_in(response, url):
    """Everyone but an administrator is sent to log in (anonymous and deactivated users to the
    portal's log-in page, other users to the admin's), never let in."""
    assert response.status_code == 302, url
    location = response["Location"]
    if url == reverse("admin:logout") and location == reverse("admin:index"):
        return  # the admin answers "log out" from outside with its index (asking to log in)
    assert location.startswith((reverse("login") + "?next=", reverse("admin:login") + "?next="))
    assert location.endswith(quote(url, safe="/")), url


MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", MODELS, ids=[model._meta.label for model in MODELS])
def test_admin_model_urls(users, socorejo, model):
    """Every admin URL of every registered model: non-administrators (staff of the branch
    included) are sent to the admin log-in by GET and POST alike; the administrator opens them,
    and a changelist shows NIKs masked only."""
    secrets = secrets_of(socorejo)
    niks = [socorejo.registration.participant.nik, socorejo.member.participant.nik]
    for view, url in admin_model_urls(model):
        for role in NON_ADMIN_ROLES:
            response, body = ask(users, role, "get", url)
            assert_sent_to_log_in(response, url)
            assert leaked(body, secrets) == [], (url, role)
            if view in {"add", "change", "delete"}:
                response, body = ask(users, role, "post", url, {"post": "yes"})
                assert_sent_to_log_in(response, url)
        response, body = ask(users, "admin", "get", url)
        assert response.status_code in {200, 302, 403}, (url, response.status_code)
        if view == "changelist":
            assert response.status_code == 200, url
            assert leaked(body, niks) == [], url
            if model in (Participant, Registration):
                for nik in niks:
                    assert mask_nik(nik) in body


def test_admin_site_urls(users, socorejo):
    """The admin's own pages (index, app list, autocomplete, view on site, catch-all, password
    change): only an administrator gets in; the log-in page itself holds no data."""
    secrets = secrets_of(socorejo)
    for url in admin_site_urls(socorejo):
        for role in NON_ADMIN_ROLES:
            method = "post" if url == reverse("admin:logout") else "get"
            response, body = ask(users, role, method, url)
            assert_sent_to_log_in(response, url)
            assert leaked(body, secrets) == [], (url, role)
    for role in NON_ADMIN_ROLES:
        response, body = ask(users, role, "get", reverse("admin:login"))
        assert response.status_code == 200
        assert leaked(body, secrets) == []
    response, _body = ask(users, "admin", "get", reverse("admin:login"))
    assert response.status_code == 302
    response, _body = ask(users, "admin", "get", reverse("admin:index"))
    assert response.status_code == 200
