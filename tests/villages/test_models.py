import datetime

import pytest
from django.db import IntegrityError

from villages.models import Village

from ..factories import CoverageFactory, VillageFactory


def test_village_kinds_follow_the_fourth_code_part(world):
    """A fourth code part starting with 2 is a desa, with 1 a kelurahan."""
    kelurahan = VillageFactory(code="35.23.12.1001", district=world.jenu)
    assert not world.socorejo.is_kelurahan
    assert kelurahan.is_kelurahan
    assert world.socorejo.regency_code == "35.23"


def test_city_codes_start_at_71(world):
    """Kabupaten codes run 01–69, kota codes 71–99."""
    assert not world.tuban.is_city
    city = world.tuban.__class__(code="35.76", province=world.jatim, name="Kota Mojokerto")
    assert city.is_city


def test_branch_office_covers_its_own_and_its_pioneer_offices_regencies(world):
    """KC Bojonegoro's area includes what KCP Tuban under it covers."""
    CoverageFactory(branch_office=world.kcp_tuban, regency=world.gresik)
    assert set(world.bojonegoro.covered_regencies()) == {world.tuban, world.gresik}
    assert set(world.kcp_tuban.covered_regencies()) == {world.tuban, world.gresik}
    assert set(world.purwokerto.covered_regencies()) == {world.banyumas}


def test_coverage_is_dated(world):
    """A coverage link counts only between its dates."""
    CoverageFactory(
        branch_office=world.purwokerto,
        regency=world.gresik,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 12, 31),
    )
    assert world.gresik in world.purwokerto.covered_regencies(on=datetime.date(2021, 6, 1))
    assert world.gresik not in world.purwokerto.covered_regencies(on=datetime.date(2022, 1, 1))
    assert world.gresik not in world.purwokerto.covered_regencies(on=datetime.date(2019, 12, 31))


def test_coverage_cannot_end_before_it_starts(world):
    """The database refuses a coverage whose end precedes its start."""
    with pytest.raises(IntegrityError):
        CoverageFactory(
            branch_office=world.purwokerto,
            regency=world.gresik,
            valid_from=datetime.date(2020, 1, 1),
            valid_until=datetime.date(2019, 1, 1),
        )


def test_working_age_population_cannot_exceed_population(world):
    """The database refuses more working-age residents than residents."""
    world.socorejo.population = 100
    world.socorejo.working_age_population = 101
    with pytest.raises(IntegrityError):
        world.socorejo.save()


def test_villages_for_each_role(
    world, admin_user, branch_staff, other_branch_staff, operator, inactive_user
):
    """Admins see all villages, branch staff their area, operators their own village."""
    from django.contrib.auth.models import AnonymousUser

    everything = set(Village.objects.all())
    assert set(Village.objects.for_user(admin_user)) == everything
    assert set(Village.objects.for_user(branch_staff)) == {world.socorejo, world.karanglo}
    assert set(Village.objects.for_user(other_branch_staff)) == {world.karanglewas}
    assert set(Village.objects.for_user(operator)) == {world.socorejo}
    assert not Village.objects.for_user(inactive_user).exists()
    assert not Village.objects.for_user(AnonymousUser()).exists()


def test_registrations_are_scoped_by_the_same_rule_and_an_admin_needs_no_join(
    world, admin_user, branch_staff, operator, inactive_user
):
    """Registration.objects.for_user follows Village.objects.for_user; for an admin, who may
    see every village, the query is left without the join over all villages."""
    from django.contrib.auth.models import AnonymousUser

    from enrollment.models import Registration

    from ..enrollment.factories import RegistrationFactory

    in_village = {
        village: RegistrationFactory(village=village)
        for village in (world.socorejo, world.karanglo, world.karanglewas)
    }
    assert set(Registration.objects.for_user(admin_user)) == set(in_village.values())
    assert "villages_village" not in str(Registration.objects.for_user(admin_user).query)
    assert set(Registration.objects.for_user(branch_staff)) == {
        in_village[world.socorejo],
        in_village[world.karanglo],
    }
    assert set(Registration.objects.for_user(operator)) == {in_village[world.socorejo]}
    assert not Registration.objects.for_user(inactive_user).exists()
    assert not Registration.objects.for_user(AnonymousUser()).exists()
