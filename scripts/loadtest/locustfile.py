"""Simulated portal users for the load test (run.py starts locust with this file).

Village operators log in, open their village page and registrations list, and register
residents (form, "check", "save": valid NIKs of their district, unique per simulated user).
Branch staff log in and open campaign dashboards, the registrations list, the verification
queue and the campaign list. A registration counts as saved only when the save answers with
the redirect to the new registration.

Reads LOADTEST_ACCOUNTS (prepare.py's JSON, with "password") and writes its figures to
LOADTEST_RESULT when locust quits."""

import collections
import http.cookiejar
import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

ACCOUNTS = json.loads(Path(os.environ["LOADTEST_ACCOUNTS"]).read_text())
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SAVED = re.compile(r"^/pendaftaran/\d+/$")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

USERS = int(os.environ["LOADTEST_USERS"])

statuses: collections.Counter = collections.Counter()
saved = collections.Counter()
logged_in: dict[str, float] = {"users": 0, "at": 0.0}
steady: list[tuple[float, float, bool]] = []  # (when, response time, failed)
_operators = itertools.count()
_staff = itertools.count()


class BehindTheLoadBalancer(http.cookiejar.DefaultCookiePolicy):
    """The load balancer ends HTTPS, so the portal's Secure cookies travel over loopback HTTP."""

    def return_ok_secure(self, cookie, request):
        return True


@events.request.add_listener
def count_statuses(response=None, exception=None, response_time=0, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    statuses[f"{status // 100}xx" if status else "no answer"] += 1
    now = time.time()
    # Only requests sent after the last login: those queued behind the logins are not steady.
    if logged_in["at"] and now - (response_time or 0) / 1000 >= logged_in["at"]:
        steady.append((now, response_time, exception is not None))


def figures(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.total_rps,
        "p50": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": entry.max_response_time,
    }


def steady_figures() -> dict:
    """The requests sent once every simulated user had logged in (a login hashes the password
    on purpose, about a second of CPU here, and they all log in within the first seconds)."""
    if len(steady) < 2:
        return {"requests": len(steady), "failures": 0, "rps": 0, "p50": 0, "p95": 0, "p99": 0,
                "max": 0}  # fmt: skip
    times = sorted(response_time for _, response_time, _ in steady)
    seconds = steady[-1][0] - steady[0][0]
    return {
        "requests": len(times),
        "failures": sum(failed for _, _, failed in steady),
        "rps": len(times) / seconds if seconds else 0,
        **{f"p{q}": times[min(len(times) - 1, len(times) * q // 100)] for q in (50, 95, 99)},
        "max": times[-1],
    }


@events.quitting.add_listener
def write_result(environment, **kwargs):
    total = environment.stats.total
    endpoints = [
        {
            "name": f"{entry.method} {entry.name}",
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
        }
        for entry in sorted(environment.stats.entries.values(), key=lambda e: e.name)
    ]
    result = {
        **figures(total),
        "steady": steady_figures(),
        "statuses": dict(statuses),
        "registrations_saved": saved["ok"],
        "endpoints": endpoints,
        "errors": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in environment.stats.errors.values()
        ],
    }
    with open(os.environ["LOADTEST_RESULT"], "w") as file:
        json.dump(result, file, indent=2)


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)  # a person reading the page before the next click
    username = ""

    def on_start(self):
        self.client.cookiejar.set_policy(BehindTheLoadBalancer())
        token = self.csrf_token("/accounts/login/", "login form")
        body = {
            "username": self.username,
            "password": ACCOUNTS["password"],
            "csrfmiddlewaretoken": token,
        }
        with self.client.post(
            "/accounts/login/",
            data=urlencode(body),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
            name="/accounts/login/",
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        logged_in["users"] += 1
        if logged_in["users"] == USERS:
            logged_in["at"] = time.time()

    def read(self, path: str, name: str) -> str:
        """A page that must answer 200 itself (a redirect to the login page is a failure)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
            return response.text or ""

    def csrf_token(self, path: str, name: str) -> str:
        found = CSRF.search(self.read(path, name))
        return found.group(1) if found else ""


class VillageOperator(PortalUser):
    weight = 4

    def on_start(self):
        index = next(_operators)
        account = ACCOUNTS["operators"][index % len(ACCOUNTS["operators"])]
        self.username = account["username"]
        self.district = account["district"].replace(".", "")
        # A birth date of this simulated user's own (unique up to 336 users), then serials.
        self.birth = f"{1 + index % 28:02d}{1 + index // 28 % 12:02d}85"
        self.serials = itertools.count(9001)
        super().on_start()

    @task(3)
    def village_page(self):
        self.read("/desa/", "/desa/ (village dashboard)")

    @task(3)
    def registrations(self):
        self.read("/pendaftaran/", "/pendaftaran/ (list)")

    @task(2)
    def register(self):
        nik = f"{self.district}{self.birth}{next(self.serials):04d}"
        resident = {
            "nik": nik,
            "full_name": "Sutrisno Uji Beban",
            "birth_date": "",
            "sex": "",
            "phone": "",
            "address": "Dusun Krajan",
            "rt": "001",
            "rw": "002",
            "occupation": "Nelayan",
            "category": "bpu",
            "declared_income": "1000000",
            "funding_source": "mandiri",
            "funding_company": "",
            "agent": "",
        }
        token = self.csrf_token("/pendaftaran/baru/", "/pendaftaran/baru/ (form)")
        with self.client.post(
            "/pendaftaran/baru/",
            data=urlencode({**resident, "csrfmiddlewaretoken": token, "check": "1"}),
            headers=FORM,
            catch_response=True,
            name="/pendaftaran/baru/ (check)",
        ) as response:
            if 'name="save"' not in (response.text or ""):
                response.failure(f"check answered {response.status_code} without a save button")
                return
            token = CSRF.search(response.text).group(1)
        with self.client.post(
            "/pendaftaran/baru/",
            data=urlencode({**resident, "csrfmiddlewaretoken": token, "save": "1"}),
            headers=FORM,
            allow_redirects=False,
            catch_response=True,
            name="/pendaftaran/baru/ (save)",
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code == 302 and SAVED.match(location):
                saved["ok"] += 1
            else:
                response.failure(f"save answered {response.status_code} {location}".strip())


class BranchStaff(PortalUser):
    weight = 1

    def on_start(self):
        self.username = ACCOUNTS["staff"][next(_staff) % len(ACCOUNTS["staff"])]
        super().on_start()

    @task(4)
    def campaign_dashboard(self):
        slug = random.choice(ACCOUNTS["campaigns"])
        self.read(f"/kampanye/{slug}/", "/kampanye/<slug>/ (dashboard)")

    @task(2)
    def registrations(self):
        self.read("/pendaftaran/", "/pendaftaran/ (list)")

    @task(2)
    def verification_queue(self):
        self.read("/verifikasi/", "/verifikasi/ (queue)")

    @task(1)
    def campaigns(self):
        self.read("/kampanye/", "/kampanye/ (list)")
