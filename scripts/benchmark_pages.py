#!/usr/bin/env python
"""Benchmark the main pages at national scale: the server side of each page next to a trivial
view measured the same way, at several numbers of participants, with the raw SQL of the main
aggregates timed alone for comparison.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python scripts/benchmark_pages.py [--sizes 10000 1000000] [--repeat 15] \\
        [--warmup 3] [--budget 60] [--synthetic N]

Works in a throw-away database (benchmark_pages_<pid>, created next to DATABASE_URL's and
dropped at the end). For each size, one child process generates the data set
(tools.national, every village of the national regions file unless --synthetic) and another
measures: requests go through django.test.Client in-process with DEBUG off, the whole
middleware stack and a logged-in user of the right role; after --warmup requests (one when a
page takes over a tenth of --budget) each page is requested --repeat times (at least 3, fewer
once a page has used --budget seconds; more, for at least 2 s, when it is fast) and the median
is kept. The trivial view is an HttpResponse("ok") added to the URLconf for the benchmark
only, behind the same middleware and login; so is the portal's layout with no content (what
every page costs before its own content); /healthz/ is shown too. The pages whose content is
cached (portal.page_cache) are measured twice: as served (from the cache after the first
request) and rendered, with the cache cleared before every request. Queries are counted
over one more request; KB is the page's size. Each timed request of a page follows one of the
trivial view, and ×trivial divides the page's median by the median of those: the machine's
speed drifts during a run (by a third on the 2-core machine of docs/performance.md), and the
pairs drift together. Growth is shown for the time itself and for ×trivial. Every page must
answer 200 and show the numbers a direct COUNT finds, or the benchmark stops. Not a test: the
figures depend on the machine.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

TRIVIAL_URL = "/benchmark-trivial/"
LAYOUT_URL = "/benchmark-layout/"
# What a campaign counts, in plain SQL: members registered in its window, formal employees
# (covered through an employer, issue 18) only where the campaign counts them.
SQL_COUNTED = (
    "FROM enrollment_registration r JOIN campaigns_campaignvillage cv "
    "ON cv.village_id = r.village_id AND cv.campaign_id = %(campaign)s "
    "JOIN enrollment_participant p ON p.id = r.participant_id "
    "WHERE r.status IN ('verified', 'active') "
    "AND (%(employer_covered)s OR p.category <> 'pu') "
    "AND (r.created_at AT TIME ZONE 'Asia/Jakarta')::date BETWEEN %(start)s AND %(end)s"
)
AGGREGATES = [
    (
        "all registrations per regency (plain)",
        "SELECT left(village_id, 5), count(*) FROM enrollment_registration GROUP BY 1",
    ),
    (
        "total counted (COUNT)",
        f"SELECT count(*) {SQL_COUNTED}",
    ),
    (
        "counted per regency (GROUP BY)",
        f"SELECT left(r.village_id, 5), count(*) {SQL_COUNTED} GROUP BY 1",
    ),
    (
        "top 20 villages (GROUP BY, ORDER BY)",
        f"SELECT r.village_id, count(*) AS n {SQL_COUNTED} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 20",
    ),
]
SUMMARY_AGGREGATES = [
    (
        "summary table: total",
        "SELECT sum(counted) FROM campaigns_campaignvillage WHERE campaign_id = %(campaign)s",
    ),
    (
        "summary table: per regency",
        "SELECT left(village_id, 5), sum(counted) FROM campaigns_campaignvillage "
        "WHERE campaign_id = %(campaign)s GROUP BY 1",
    ),
    (
        "summary table: top 20 villages",
        "SELECT village_id, counted FROM campaigns_campaignvillage "
        "WHERE campaign_id = %(campaign)s ORDER BY counted DESC, village_id LIMIT 20",
    ),
]


class Tables(HTMLParser):
    """Every <table> of a page as its header texts and rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.cell, self.row = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            table = self.tables[-1]
            if not table["headers"]:
                table["headers"] = self.row
            else:
                table["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def find_table(html: str, *headers: str) -> list[dict]:
    """The rows (as {header: text}) of the first table with all these headers."""
    parser = Tables()
    parser.feed(html)
    for table in parser.tables:
        if all(header in table["headers"] for header in headers):
            return [dict(zip(table["headers"], row, strict=False)) for row in table["rows"]]
    raise AssertionError(f"no table with the headers {headers}")


def number(text: str) -> int:
    return int(re.sub(r"[.,\s]", "", text))


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


# Children ---------------------------------------------------------------------------------


def child_generate(size: int, synthetic: int | None) -> dict:
    import django

    django.setup()
    from tools.national.generate import national_generate

    report = national_generate(
        participants=size,
        synthetic=synthetic,
        reset=True,
        progress=sys.stderr,
        log=lambda line: print(line, file=sys.stderr),
    )
    return {"seconds": report.seconds, "tables": {k: v.rows for k, v in report.tables.items()}}


def trivial_urlconf() -> str:
    """The portal's URLconf plus a view answering "ok" and one rendering the portal's layout
    (base.html: header, menu, footer) with no content, behind the same middleware and login."""
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.urls import path

    import portal.urls

    def trivial(request):
        return HttpResponse("ok")

    def layout(request):
        return render(request, "base.html")

    module = types.ModuleType("benchmark_pages_urls")
    module.urlpatterns = [
        path(TRIVIAL_URL.strip("/") + "/", trivial),
        path(LAYOUT_URL.strip("/") + "/", layout),
        *portal.urls.urlpatterns,
    ]
    module.handler500 = getattr(portal.urls, "handler500", None)
    sys.modules[module.__name__] = module
    return module.__name__


def child_measure(repeat: int, warmup: int, budget: float) -> dict:
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from contextlib import ExitStack

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone
    from django.utils.text import slugify

    from campaigns.models import Campaign
    from enrollment.models import Registration
    from enrollment.nik import mask_nik
    from portal.models import User
    from tools.national.common import NATIONAL_SLUG
    from villages.models import Coverage, Regency, Village

    assert not settings.DEBUG, "measure with DEBUG off"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ROOT_URLCONF = trivial_urlconf()

    campaign = Campaign.objects.get(slug=NATIONAL_SLUG)
    today = timezone.localdate()
    window = {
        "campaign": campaign.pk,
        "start": campaign.starts_on,
        "end": min(campaign.ends_on, today),
        "employer_covered": campaign.counts_employer_covered,
    }

    def sql(query: str, params: dict = window) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    # The area: Tuban when the national regions are loaded, else the regency with most villages.
    regency = Regency.objects.filter(code="35.23").first() or Regency.objects.get(
        code=sql(
            "SELECT left(village_id, 5) FROM campaigns_campaignvillage "
            "WHERE campaign_id = %(campaign)s GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )[0][0]
    )
    office = (
        Coverage.objects.filter(regency=regency, branch_office__kind="branch")
        .select_related("branch_office")
        .first()
        .branch_office
    )
    village = Village.objects.get(
        code=sql(
            "SELECT v.code FROM villages_village v LEFT JOIN enrollment_registration r "
            "ON r.village_id = v.code WHERE v.code LIKE %(prefix)s GROUP BY v.code "
            "ORDER BY count(r.id) DESC, v.code LIMIT 1",
            {"prefix": regency.code + ".%"},
        )[0][0]
    )
    no_password = make_password(None)  # force_login only: nobody can log in as them
    users = {
        "admin": User.objects.update_or_create(
            username="benchmark-admin",
            defaults={"role": User.Role.ADMIN, "password": no_password},
        )[0],
        "branch": User.objects.update_or_create(
            username="benchmark-cabang",
            defaults={
                "role": User.Role.BRANCH_STAFF,
                "branch_office": office,
                "password": no_password,
            },
        )[0],
        "operator": User.objects.update_or_create(
            username="benchmark-desa",
            defaults={
                "role": User.Role.VILLAGE_OPERATOR,
                "village": village,
                "password": no_password,
            },
        )[0],
        "anonymous": None,
    }

    # What a direct COUNT finds, for the checks.
    counted = sql(f"SELECT count(*) {SQL_COUNTED}")[0][0]
    target = sql(
        "SELECT sum(coalesce(target_override, %(default)s)) FROM campaigns_campaignvillage "
        "WHERE campaign_id = %(campaign)s",
        {**window, "default": campaign.default_target},
    )[0][0]
    village_counted = {
        (name, district): n
        for name, district, n in sql(
            "SELECT v.name, d.name, count(r.id) FILTER (WHERE r.status IN ('verified', 'active') "
            "AND (%(employer_covered)s OR p.category <> 'pu') "
            "AND (r.created_at AT TIME ZONE 'Asia/Jakarta')::date BETWEEN %(start)s AND %(end)s) "
            "FROM villages_village v JOIN villages_district d ON d.code = v.district_id "
            "LEFT JOIN enrollment_registration r ON r.village_id = v.code "
            "LEFT JOIN enrollment_participant p ON p.id = r.participant_id "
            "WHERE d.regency_id = %(regency)s GROUP BY v.code, v.name, d.name",
            {**window, "regency": regency.code},
        )
    }
    village_target = sql(
        "SELECT coalesce(target_override, %(default)s) FROM campaigns_campaignvillage "
        "WHERE campaign_id = %(campaign)s AND village_id = %(village)s",
        {**window, "default": campaign.default_target, "village": village.code},
    )[0][0]
    area = Registration.objects.filter(
        village__district__regency__in=office.covered_regencies(), status="submitted"
    )
    queue_total = area.count()
    oldest = area.order_by("created_at", "pk").select_related("participant").first()
    everywhere = Registration.objects.filter(status="submitted")
    queue_total_admin = everywhere.count()
    oldest_admin = everywhere.order_by("created_at", "pk").select_related("participant").first()

    def check_dashboard(html):
        expect(
            f'<progress value="{counted}" max="{target}"' in html,
            f"the dashboard does not show {counted} of {target}",
        )

    def check_regency(html):
        """The first 25 villages, all of the regency, each with the count a COUNT finds."""
        rows = find_table(html, "Village", "District", "Registered", "Target")
        expect(len(rows) == min(25, len(village_counted)), f"{len(rows)} rows")
        for row in rows:
            if "Regency / city" in row:
                expect(row["Regency / city"] == regency.name, f"{row} is not in {regency}")
            expected = village_counted.get((row["Village"], row["District"]))
            expect(expected is not None, f"{row} is not in {regency}")
            expect(number(row["Registered"]) == expected, f"{row} instead of {expected}")

    def check_village(html):
        expect(
            f'<progress value="{village_counted[village.name, village.district.name]}" '
            f'max="{village_target}"' in html,
            f"the village page does not show the count of {village}",
        )

    def check_leaderboard(html):
        expect(
            f'<progress value="{counted}" max="{target}"' in html,
            f"the leaderboard does not show {counted} of {target}",
        )
        rows = min(50, campaign.participations.count())
        expect(html.count("<progress") == 1 + rows, f"the leaderboard does not show {rows} rows")

    def queue_check(total, first):
        def check(html):
            # The queue counts up to a limit: "More than 10,000 registrations" past it.
            match = re.search(r"(More than )?([0-9][0-9.,]*) registrations?, oldest first", html)
            expect(match is not None, "the queue does not say how many wait")
            said = number(match.group(2))
            expect(
                total > said if match.group(1) else total == said,
                f"the queue says {match.group(0)!r}, a COUNT finds {total}",
            )
            expect(first is None or mask_nik(first.participant.nik) in html, "oldest not shown")

        return check

    dashboard = reverse("campaign_dashboard", args=[campaign.slug])
    try:  # the village table has a page of its own since the tally commit
        village_table = reverse("campaign_villages", args=[campaign.slug])
    except NoReverseMatch:
        village_table = dashboard
    plain = [
        ("trivial view (HttpResponse ok)", "admin", TRIVIAL_URL, lambda html: None),
        ("layout only (base.html, no content)", "admin", LAYOUT_URL, lambda html: None),
        ("/healthz/ (anonymous)", "anonymous", reverse("health"), lambda html: None),
    ]
    cached = [
        ("national campaign dashboard", "admin", dashboard, check_dashboard),
        (f"regency village table ({regency.name})", "branch",
         f"{village_table}?regency={regency.pk}", check_regency),
        (f"village page ({village.name})", "operator", reverse("village_home"), check_village),
        ("public leaderboard", "anonymous", reverse("public_leaderboard", args=[campaign.slug]),
         check_leaderboard),
        ("verification queue (branch)", "branch", reverse("verification_queue"),
         queue_check(queue_total, oldest)),
        ("verification queue (admin, national)", "admin", reverse("verification_queue"),
         queue_check(queue_total_admin, oldest_admin)),
    ]  # fmt: skip
    # Each cached page as served, then rendered: the cache cleared before every request.
    pages = [(*page, False) for page in plain]
    for page in cached:
        pages += [(*page, False), ("  rendered (cache cleared)", *page[1:], True)]

    clients = {}
    for role, user in users.items():
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        if user is not None:
            client.force_login(user)
        clients[role] = client

    results = []
    for name, role, url, check, cleared in pages:
        client = clients[role]
        before_each = cache.clear if cleared else lambda: None
        for attempt in range(warmup):
            before_each()
            started = time.perf_counter()
            response = client.get(url, secure=True)
            expect(response.status_code == 200, f"{name}: {url} answered {response.status_code}")
            if attempt == 0 and time.perf_counter() - started > budget / 10:
                break  # one warm-up request is enough for a page this slow
        html = response.content.decode()
        try:
            check(html)
        except AssertionError as error:
            saved = Path(tempfile.gettempdir()) / f"benchmark-pages-{slugify(name)}.html"
            saved.write_text(html)
            raise AssertionError(f"{name}: {error} (the page is in {saved})") from None
        before_each()
        with ExitStack() as stack:
            captures = [stack.enter_context(CaptureQueriesContext(c)) for c in connections.all()]
            client.get(url, secure=True)
        queries = sum(len(capture.captured_queries) for capture in captures)
        times, paired, spent = [], [], 0.0
        # Fast pages are requested for at least two seconds, so their median is steady.
        while (len(times) < repeat or spent < 2) and (spent < budget or len(times) < 3):
            started = time.perf_counter()
            clients["admin"].get(TRIVIAL_URL, secure=True)
            paired.append(time.perf_counter() - started)
            before_each()
            started = time.perf_counter()
            response = client.get(url, secure=True)
            elapsed = time.perf_counter() - started
            expect(response.status_code == 200, f"{name} answered {response.status_code}")
            times.append(elapsed)
            spent += elapsed
        results.append(
            {
                "page": name,
                "user": role,
                "url": url,
                "ms": statistics.median(times) * 1000,
                "trivial_ms": statistics.median(paired) * 1000,
                "runs": len(times),
                "queries": queries,
                "kb": len(response.content) / 1024,
            }
        )
        print(f"  {name}: {results[-1]['ms']:.1f} ms", file=sys.stderr, flush=True)

    aggregates = []
    summary_kept = bool(
        sql(
            "SELECT 1 FROM information_schema.columns WHERE table_name = "
            "'campaigns_campaignvillage' AND column_name = 'counted'",
            {},
        )
    )
    for name, query in AGGREGATES + (SUMMARY_AGGREGATES if summary_kept else []):
        sql(query)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            sql(query)
            times.append(time.perf_counter() - started)
        aggregates.append({"query": name, "ms": statistics.median(times) * 1000})
    registrations = sql("SELECT count(*) FROM enrollment_registration", {})[0][0]
    return {
        "code": code_version(),
        "pages": results,
        "aggregates": aggregates,
        "registrations": registrations,
        "counted": counted,
        "villages": campaign.participations.count(),
        "cache": settings.CACHES["default"]["BACKEND"],
    }


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it (read-only git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
    except OSError:
        return "unknown"
    changed = [line[3:] for line in changed if line.strip()]
    return commit + (f" + uncommitted changes to {', '.join(changed)}" if changed else "")


# Parent -----------------------------------------------------------------------------------


def run_child(url: str, *args: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-only",
    }
    output = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def label(size: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


def print_report(sizes: list[int], results: dict, generated: dict) -> None:
    first, last = sizes[0], sizes[-1]
    print()
    if generated:
        print("Generation (generate_national --reset):")
    for size in generated:
        seconds = generated[size]["seconds"]
        print(
            f"  {label(size):>5}: {seconds['total']:.1f} s total, "
            f"{seconds.get('personal data', 0):.1f} s personal data "
            f"({size / max(seconds.get('personal data', 0), 1e-9):,.0f} participants/s)"
        )
    print()
    print(
        "Pages, server side: django.test.Client in-process, DEBUG off, full middleware, "
        "median after warm-up"
    )
    header = f"{'page':<44} {'user':<9}"
    for size in sizes:
        header += f" {label(size) + ' ms':>10} {'×trivial':>8} {'queries':>7} {'KB':>5}"
    growing = len(sizes) > 1
    if growing:
        header += f" {'growth ' + label(first) + '→' + label(last):>14} {'of ×trivial':>11}"
    print(header)
    print("-" * len(header))

    def ratio(page: dict) -> float:
        return page["ms"] / page["trivial_ms"]

    for index, page in enumerate(results[first]["pages"]):
        line = f"{page['page'][:44]:<44} {page['user']:<9}"
        for size in sizes:
            measured = results[size]["pages"][index]
            line += (
                f" {measured['ms']:>10.1f} {ratio(measured):>8.1f} "
                f"{measured['queries']:>7} {measured['kb']:>5.0f}"
            )
        if growing:
            grown = results[last]["pages"][index]
            line += f" {grown['ms'] / page['ms']:>14.2f} {ratio(grown) / ratio(page):>11.2f}"
        print(line)
    print()
    print("Raw SQL of the main aggregates on PostgreSQL (national campaign, median of 5):")
    header = f"{'query':<44}" + "".join(f" {label(size) + ' ms':>10}" for size in sizes)
    header += f" {'growth':>8}" if growing else ""
    print(header)
    print("-" * len(header))
    for index, aggregate in enumerate(results[first]["aggregates"]):
        line = f"{aggregate['query']:<44}"
        line += "".join(f" {results[size]['aggregates'][index]['ms']:>10.1f}" for size in sizes)
        if growing:
            ratio = results[last]["aggregates"][index]["ms"] / max(aggregate["ms"], 1e-9)
            line += f" {ratio:>8.2f}"
        print(line)
    print()
    for size in sizes:
        result = results[size]
        runs = ", ".join(str(page["runs"]) for page in result["pages"])
        print(
            f"{label(size)}: {result['registrations']:,} registrations, {result['counted']:,} "
            f"counted in {result['villages']:,} villages; requests timed per page: {runs}; "
            f"cache: {result['cache']}; code: {result['code']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per page before stopping (at least 3)"
    )
    parser.add_argument("--synthetic", type=int, metavar="N", help="N synthetic villages")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure DATABASE_URL's database as it is (made by generate_national), in place",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "generate":
            result = child_generate(int(args.child[1]), args.synthetic)
        else:
            result = child_measure(args.repeat, args.warmup, args.budget)
        print(json.dumps(result, default=str))
        return

    import django
    import environ

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    timing = ["--repeat", str(args.repeat), "--warmup", str(args.warmup)]
    timing += ["--budget", str(args.budget)]
    if args.existing:
        result = run_child(os.environ["DATABASE_URL"], "measure", *timing)
        print_report([result["registrations"]], {result["registrations"]: result}, {})
        return
    name = f"benchmark_pages_{os.getpid()}"
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": name}
    old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
    base = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    url = (
        f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST'] or '127.0.0.1'}:"
        f"{base['PORT'] or 5432}/{name}"
    )
    sizes = sorted(args.sizes)
    results, generated = {}, {}
    extra = ["--synthetic", str(args.synthetic)] if args.synthetic else []
    try:
        for size in sizes:
            print(f"Generating {size:,} participants ...", file=sys.stderr, flush=True)
            generated[size] = run_child(url, "generate", str(size), *extra)
            print(f"Measuring at {size:,} ...", file=sys.stderr, flush=True)
            results[size] = run_child(url, "measure", *timing)
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)
    print_report(sizes, results, generated)


if __name__ == "__main__":
    main()
