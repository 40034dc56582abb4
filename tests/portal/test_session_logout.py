"""With sessions in Redis, a logout while Redis stalls must not be undone when it returns: the
copy left in Redis would revive the session for anyone holding its cookie. When the copy cannot
be removed, every session of that user ends instead (portal.sessions, portal.user_sessions)."""

import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from .test_scaling import redis_sessions  # noqa: F401 - the fixture

PASSWORD = "demo12345"


def stalled(*args, **kwargs):
    raise redis.exceptions.TimeoutError("Timeout reading from socket")


def replay(session_key) -> int:
    """What a client holding the session's cookie gets now."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return other.get(reverse("registration_list")).status_code


def test_a_logout_during_a_redis_stall_wins_when_redis_returns(
    client,
    operator,
    redis_sessions,  # noqa: F811
    monkeypatch,
):
    client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    key = client.session.session_key
    assert replay(key) == 200
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": operator.username, "password": PASSWORD})

    with monkeypatch.context() as patch:
        patch.setattr(RedisCache, "delete", stalled)
        assert client.post(reverse("logout")).status_code == 302
    # Redis is back, with the logged-out session's copy still in it.
    assert redis_sessions.get("django.contrib.sessions.cached_db" + key) is not None
    assert replay(key) == 302
    # The user's other sessions ended too; logging in again works.
    assert elsewhere.get(reverse("registration_list")).status_code == 302
    client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    assert client.get(reverse("registration_list")).status_code == 200


def test_a_plain_logout_ends_only_that_session(client, operator, redis_sessions):  # noqa: F811
    client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    key = client.session.session_key
    elsewhere = Client()
    elsewhere.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    client.post(reverse("logout"))
    assert replay(key) == 302
    assert elsewhere.get(reverse("registration_list")).status_code == 200


@pytest.mark.parametrize("step", ["login"])
def test_a_login_during_a_redis_stall_keeps_the_new_session(
    client,
    operator,
    redis_sessions,  # noqa: F811
    monkeypatch,
    step,
):
    """cycle_key drops the pre-login session; failing to drop its copy must not end the
    session that carries on under the new key."""
    client.get(reverse("login"))
    with monkeypatch.context() as patch:
        patch.setattr(RedisCache, "delete", stalled)
        client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    assert client.get(reverse("registration_list")).status_code == 200
