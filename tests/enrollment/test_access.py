"""Every URL of the enrollment app × every role: the exact answer, and no personal data across
a village or branch boundary."""

import pytest
from django.urls import URLPattern, reverse

from enrollment import urls as enrollment_urls
from enrollment.models import Agent

from .registering import register

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}

# url name: (method, {role: status}); Socorejo's registration and agent are the objects.
MATRIX = {
    "registration_list": ("get", dict(zip(ROLES, [302, 302, 200, 200, 200, 200, 200], strict=True))),
    "registration_create": ("get", dict(zip(ROLES, [302, 302, 403, 403, 403, 200, 200], strict=True))),
    "registration_detail": ("get", dict(zip(ROLES, [302, 302, 200, 200, 404, 200, 404], strict=True))),
    "registration_edit": ("get", dict(zip(ROLES, [302, 302, 200, 403, 403, 200, 404], strict=True))),
    "registration_verify": ("post", dict(zip(ROLES, [302, 302, 302, 302, 404, 403, 403], strict=True))),
    "registration_reject": ("post", dict(zip(ROLES, [302, 302, 302, 302, 404, 403, 403], strict=True))),
    "registration_activate": ("post", dict(zip(ROLES, [302, 302, 302, 302, 404, 403, 403], strict=True))),
    "funded_period_create": ("post", dict(zip(ROLES, [302, 302, 302, 302, 404, 302, 404], strict=True))),
    "verification_queue": ("get", dict(zip(ROLES, [302, 302, 200, 200, 200, 403, 403], strict=True))),
    "lapsing_list": ("get", dict(zip(ROLES, [302, 302, 200, 200, 200, 200, 200], strict=True))),
    "agent_list": ("get", dict(zip(ROLES, [302, 302, 200, 200, 200, 200, 200], strict=True))),
    "agent_detail": ("get", dict(zip(ROLES, [302, 302, 200, 200, 404, 200, 404], strict=True))),
}  # fmt: skip

POST_DATA = {
    "registration_verify": {"kpj": "19000000001"},
    "registration_reject": {"reason": "Data tidak lengkap"},
    "funded_period_create": {
        "funding_source": "dana_desa", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
    },
}  # fmt: skip


def test_the_matrix_covers_every_enrollment_url():
    """A new view cannot escape the matrix: every URL name of the app is listed."""
    names = {p.name for p in enrollment_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


@pytest.fixture
def socorejo_objects(world, operator):
    registration = register(world.socorejo, operator, full_name="Rahasia Socorejo")
    agent = Agent.objects.create(name="Agen Socorejo", phone="6281200000000")
    agent.villages.add(world.socorejo)
    agent.recruits.add(registration)
    return {"registration": registration, "agent": agent}


def url_for(name, objects):
    if name in {
        "registration_list",
        "registration_create",
        "verification_queue",
        "lapsing_list",
        "agent_list",
    }:
        return reverse(name)
    target = objects["agent"] if name == "agent_detail" else objects["registration"]
    return reverse(name, args=[target.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer(client, request, socorejo_objects, name, role):
    """Out of scope answers 404 (as if missing); the wrong role 403; anonymous and
    deactivated users are sent to log in."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    method, expected = MATRIX[name]
    url = url_for(name, socorejo_objects)
    response = getattr(client, method)(url, POST_DATA.get(name, {}))
    assert response.status_code == expected[role]
    if role in {"other_branch", "other_operator"}:
        assert "Rahasia Socorejo" not in response.text
        assert socorejo_objects["registration"].participant.nik[6:12] not in response.text


@pytest.mark.parametrize("name", [n for n, (method, _) in MATRIX.items() if method == "post"])
def test_actions_refuse_get(client, admin_user, socorejo_objects, name):
    """State-changing actions answer only POST."""
    client.force_login(admin_user)
    assert client.get(url_for(name, socorejo_objects)).status_code == 405


def test_out_of_scope_actions_change_nothing(client, other_branch_staff, socorejo_objects):
    """Another branch's POSTs leave the registration as it was."""
    client.force_login(other_branch_staff)
    registration = socorejo_objects["registration"]
    client.post(reverse("registration_verify", args=[registration.pk]), {"kpj": "19000000001"})
    client.post(reverse("registration_reject", args=[registration.pk]), {"reason": "x"})
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.events.count() == 1
