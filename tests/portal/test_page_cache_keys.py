"""Anonymous visitors cannot fill the cache: the public leaderboard's cache key holds only the
parameters it reads (a page number), so made-up query strings share one entry."""

from django.core.cache import cache
from django.urls import reverse

from ..campaigns.test_dashboard import make_campaign


def page_entries() -> int:
    return sum(1 for key in cache._cache if ":page:" in key)


def test_junk_query_strings_on_the_leaderboard_add_no_cache_entries(client, world):
    campaign = make_campaign(world, [world.socorejo], public=True)
    url = reverse("public_leaderboard", args=[campaign.slug])
    for number in range(20):
        assert client.get(url, {f"x{number}": number, "utm": "a" * number}).status_code == 200
    assert page_entries() == 1
    for junk in ("abc", "-1", "99999999", "1e5"):
        assert client.get(url, {"page": junk}).status_code == 200
    assert page_entries() == 1
    assert client.get(url, {"page": "1", "junk": "y"}).status_code == 200
    assert page_entries() == 2  # ?page=1 is its own (harmless) entry
