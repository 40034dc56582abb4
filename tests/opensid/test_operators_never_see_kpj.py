"""Village operators see a member's status, never the KPJ number (it is tied to the member's
balance, OpenSID issue #9745): a crawl of every page and download an operator can reach by
following links, OpenSID's included. Branch staff do see the number."""

import datetime
import io
import re
from collections import deque
from html import unescape
from urllib.parse import unquote, urldefrag

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from enrollment import services as enrollment_services
from enrollment.models import FollowUp
from opensid import demo
from opensid import services as opensid_services

from ..campaigns.factories import CampaignFactory
from ..enrollment.registering import register

KPJ_VERIFIED = "19011112222"
KPJ_ACTIVE = "19033334444"
LINK = re.compile(r"""href=["']([^"'#]+)""")
# Leaving the site, leaving the session, or the admin (operators are sent to log in there).
SKIP = ("/accounts/logout/", "/i18n/", "/admin/", "/static/", "/media/")
MAX_PAGES = 400


@pytest.fixture
def members(world, operator, branch_staff):
    """Socorejo's members as an operator meets them: verified and active ones with a KPJ, one
    whose village-funded months end soon (the follow-up pages), a campaign, an OpenSID upload."""
    CampaignFactory(slug="desa-sadar-socorejo", branch_office=world.bojonegoro,
                    villages=[world.socorejo])  # fmt: skip
    verified = register(world.socorejo, operator, full_name="Anggota Terverifikasi",
                        phone="6281299990011")  # fmt: skip
    active = register(world.socorejo, operator, full_name="Anggota Aktif")
    register(world.socorejo, operator, full_name="Masih Diajukan")
    enrollment_services.registration_verify(
        registration=verified, kpj=KPJ_VERIFIED, by=branch_staff
    )
    enrollment_services.registration_verify(registration=active, kpj=KPJ_ACTIVE, by=branch_staff)
    enrollment_services.registration_activate(registration=active, by=branch_staff)
    today = timezone.localdate()
    for registration in (verified, active):
        enrollment_services.funded_period_add(
            registration=registration,
            by=branch_staff,
            funding_source="dana_desa",
            starts_on=today - datetime.timedelta(days=170),
            ends_on=today + datetime.timedelta(days=10),
        )
    FollowUp.objects.create(registration=active, by=operator, channel="visit")
    content = demo.resident_export(residents=60)
    opensid_services.resident_upload_create(
        file=io.BytesIO(content), name="penduduk.xlsx", size=len(content), village=world.socorejo,
        by=operator,
    )  # fmt: skip
    return [verified, active]


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            "\t".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def crawl(client) -> dict[str, str]:
    """{url: what the user receives} for every same-site page reachable from the home page by
    links (redirects followed), downloads included."""
    seen: dict[str, str] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        text = body_text(response)
        seen[url] = text + unquote(response.get("Location", ""))
        found = [response["Location"]] if response.status_code in (301, 302) else []
        if "html" in response.get("Content-Type", ""):
            found += [unescape(link) for link in LINK.findall(text)]
        for link in found:
            link = urldefrag(link)[0]
            if link.startswith("/") and not link.startswith("//") and not link.startswith(SKIP):
                queue.append(link)
    return seen


def test_an_operators_pages_and_downloads_never_show_a_kpj(client, operator, members):
    client.force_login(operator)
    pages = crawl(client)
    # The crawl reached the pages where a number could show: the members' details, the
    # follow-up lists, the exports, OpenSID's pages.
    for member in members:
        assert f"/pendaftaran/{member.pk}/" in pages
    for path in ("/pendaftaran/segera-berakhir/", "/opensid/", "/pendaftaran/ekspor.xlsx"):
        assert any(url.startswith(path) for url in pages), path
    assert any(url.startswith("/opensid/program-bantuan/") for url in pages)
    assert any(re.fullmatch(r"/opensid/\d+/", url) for url in pages)
    leaks = {
        url: [kpj for kpj in (KPJ_VERIFIED, KPJ_ACTIVE) if kpj in text]
        for url, text in pages.items()
    }
    assert {url: kpjs for url, kpjs in leaks.items() if kpjs} == {}


def test_branch_staff_do_see_the_number(client, branch_staff, members):
    """A control: the same crawl finds the number where branch staff are meant to see it."""
    client.force_login(branch_staff)
    member = members[0]
    assert KPJ_VERIFIED in body_text(client.get(f"/pendaftaran/{member.pk}/"))
