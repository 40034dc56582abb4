"""Every page of every role, the admin's included, read in Indonesian: no English leftovers, no
raw field names, no Python values (None, True) where a person reads.

The pages are the permission matrix's own (every URL of the URLconf, with Socorejo's objects), so
a new page is crawled as soon as it is added to the matrix."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse

from .access_objects import socorejo_objects  # noqa: F401 (fixture)
from .test_access_matrix import MATRIX, ROLE_FIXTURES, ROLES, admin_model_urls, ask, urls_for


@pytest.fixture(name="users")
def role_users(request, world):
    """The matrix's users of each role, with one client per role (logged in once)."""
    found = {role: request.getfixturevalue(name) for role, name in ROLE_FIXTURES.items()}
    return SimpleNamespace(**found, clients={})


# What was seen on Indonesian pages before (issue #20), and Python's values.
FORBIDDEN = [
    "- Select an option -",
    "---------",
    "GET FULL NAME",
    "Get full name",
    "Filter by",
    "By ",
    "AXES",
    "Axes",
    "OTP_TOTP",
    "Otp_Totp",
    "TOTP devices",  # (permission names, stored in English by Django, say "TOTP device")
    "Task Results",
    "Task results",
    "Django_Tasks_Db",
    "nama pengguna nama pengguna",
    "Show counts",
    "Select all",
    "Action:",
    "Clear all filters",
    "Note: You are",
    "hours ahead of server time",
    "hours behind server time",
    "Added.",
    "Changed ",
    '"status"',  # a registration's stored changes, {"status": [...]}
    # django-otp's admin of authenticator apps, and Django's search magnifier.
    "Search by",
    "Search",
    "Identity",
    "Throttling",
    "this device",
]
PYTHON_VALUES = re.compile(r"\b(None|True|False)\b")
MODEL_LABELS = re.compile(r"\b[a-z_]+\.[A-Z][A-Za-z]+\b")  # "enrollment.ExportRecord"
# Where a person reads: the text, and these attributes.
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "value"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and not (tag == "input" and name == "value"):
                self.parts.append(value)
            if tag == "option" and name == "value":
                continue

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def readable_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def leftovers(html: str) -> list[str]:
    text = readable_text(html)
    found = [word for word in FORBIDDEN if word in text]
    found += sorted({match.group(0) for match in PYTHON_VALUES.finditer(text)})
    found += sorted({match.group(0) for match in MODEL_LABELS.finditer(text)})
    return found


def html_pages(users, role, urls) -> dict[str, list[str]]:
    """{url: leftovers} of the HTML pages among urls that answer `role` with 200."""
    bad = {}
    for url in urls:
        response, body = ask(users, role, "get", url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        found = leftovers(body)
        if found:
            bad[url] = found
    return bad


def report(bad: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {', '.join(words)}" for url, words in bad.items())


def test_the_detector_finds_what_it_looks_for():
    """A control: the leftovers seen in the issue are found, in text and in a title."""
    html = '<p>Status: None</p><select><option value="">---------</option></select>'
    assert leftovers(html) == ["---------", "None"]
    assert leftovers('<a title="Filter by role">x</a>') == ["Filter by"]
    assert leftovers("<h1>Ubah enrollment.ExportRecord</h1>") == ["enrollment.ExportRecord"]
    assert leftovers('<input type="hidden" value="None"><p>Selesai</p>') == []


@pytest.mark.parametrize("role", [role for role in ROLES if role != "inactive"])
def test_every_page_of_every_role_reads_in_indonesian(users, socorejo, role, settings):
    """Each GET page a role may open, in Indonesian, holds none of the English leftovers."""
    urls = [
        url
        for name, (method, _expected) in MATRIX.items()
        if method == "get"
        for url in urls_for(name, socorejo, users)
    ]
    urls += [f"{reverse('registration_list')}?status=submitted"]
    bad = html_pages(users, role, urls)
    assert bad == {}, report(bad)


MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_admin_page_reads_in_indonesian(users, socorejo):
    """The admin's index, every changelist, add, change and history form, in Indonesian."""
    urls = [reverse("admin:index")]
    urls += [url for model in MODELS for view, url in admin_model_urls(model) if view != "delete"]
    bad = html_pages(users, "admin", urls)
    assert bad == {}, report(bad)
