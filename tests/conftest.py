"""Shared fixtures: a small world of real regions and offices, and one user per role."""

import datetime
import importlib
import os
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from portal import page_cache
from portal.models import User
from villages.models import area_names

from .factories import (
    BranchOfficeFactory,
    CoverageFactory,
    DistrictFactory,
    ProvinceFactory,
    RegencyFactory,
    UserFactory,
    VillageFactory,
)

# Playwright's sync API keeps an event loop in the main thread; Django's database fixtures would
# otherwise refuse to run next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Plain static storage (no collectstatic needed) and uploads in a throw-away folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    area_names.cache_clear()  # each test has its own regions
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The suite runs with DEBUG off (production settings) but over plain HTTP.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _page_cache(request, monkeypatch):
    """Each test starts with an empty cache. A test inside the transaction that never commits
    marks changed content at once, as the commit would; a transactional test commits."""
    cache.clear()
    marker = request.node.get_closest_marker("django_db")
    transactional = TRANSACTIONAL & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not transactional:
        monkeypatch.setattr(page_cache, "BUMP_INSIDE_TRANSACTIONS", True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_FLAGS,
    }


def seed_migrated_data():
    """Put back what the data migrations seed (rates, commission rule, discounts, age limits):
    transactional tests (browser, threads) flush the tables."""
    for name in (
        "0002_seed_rates_and_commission_rule",
        "0012_contribution_schemes_discounts_and_employers",
    ):
        importlib.import_module(f"enrollment.migrations.{name}").seed(django_apps, None)
    ages = importlib.import_module("enrollment.migrations.0013_age_limits")
    ages.seed_age_limits(django_apps, None)


@pytest.fixture
def seeded_rates(db):
    """The rates, commission rule and age limits the data migrations seed."""
    seed_migrated_data()


@pytest.fixture
def world(db, seeded_rates):
    """Tuban (KC Bojonegoro, with KCP Tuban under it), Gresik (KC Gresik) and Banyumas
    (KC Purwokerto), with the seed villages."""
    jatim = ProvinceFactory(code="35", name="Jawa Timur")
    jateng = ProvinceFactory(code="33", name="Jawa Tengah")
    tuban = RegencyFactory(code="35.23", province=jatim, name="Kabupaten Tuban")
    gresik = RegencyFactory(code="35.25", province=jatim, name="Kabupaten Gresik")
    banyumas = RegencyFactory(code="33.02", province=jateng, name="Kabupaten Banyumas")
    jenu = DistrictFactory(code="35.23.12", regency=tuban, name="Jenu")
    kerek = DistrictFactory(code="35.23.08", regency=tuban, name="Kerek")
    jatilawang = DistrictFactory(code="33.02.03", regency=banyumas, name="Jatilawang")
    manyar = DistrictFactory(code="35.25.10", regency=gresik, name="Manyar")
    socorejo = VillageFactory(code="35.23.12.2002", district=jenu, name="Socorejo")
    karanglo = VillageFactory(code="35.23.08.2016", district=kerek, name="Karanglo")
    karanglewas = VillageFactory(code="33.02.03.2003", district=jatilawang, name="Karanglewas")
    tanggulrejo = VillageFactory(code="35.25.10.2001", district=manyar, name="Tanggulrejo")

    since = datetime.date(2016, 1, 1)
    bojonegoro = BranchOfficeFactory(name="KC Bojonegoro")
    kcp_tuban = BranchOfficeFactory(name="KCP Tuban", kind="pioneer", parent=bojonegoro)
    kc_gresik = BranchOfficeFactory(name="KC Gresik")
    purwokerto = BranchOfficeFactory(name="KC Purwokerto")
    CoverageFactory(branch_office=bojonegoro, regency=tuban, valid_from=since)
    CoverageFactory(branch_office=kcp_tuban, regency=tuban, valid_from=since)
    CoverageFactory(branch_office=kc_gresik, regency=gresik, valid_from=since)
    CoverageFactory(branch_office=purwokerto, regency=banyumas, valid_from=since)
    return SimpleNamespace(**locals())


@pytest.fixture
def admin_user(world):
    return UserFactory(username="admin", admin=True)


@pytest.fixture
def branch_staff(world):
    return UserFactory(
        username="cabang", role=User.Role.BRANCH_STAFF, branch_office=world.bojonegoro
    )


@pytest.fixture
def other_branch_staff(world):
    return UserFactory(
        username="purwokerto", role=User.Role.BRANCH_STAFF, branch_office=world.purwokerto
    )


@pytest.fixture
def operator(world):
    return UserFactory(username="socorejo", village=world.socorejo)


@pytest.fixture
def other_operator(world):
    return UserFactory(username="karanglewas", village=world.karanglewas)


@pytest.fixture
def inactive_user(world):
    return UserFactory(username="mantan", village=world.socorejo, is_active=False)


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client
