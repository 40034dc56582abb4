"""Village offices share computers: nothing shown to a signed-in user may stay in the browser's
cache (or a proxy's) for the next person to find with the back button or the history.

NoStoreMiddleware marks every response to a signed-in user `Cache-Control: no-store`
(Django's add_never_cache_headers: also no-cache, must-revalidate, private, max-age=0):
registrations and their lists, the verification queue, notifications, print lists, exports.
Anonymous pages (the public leaderboard, the login page) keep their own caching; static files
are answered by WhiteNoise before this middleware runs."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        already = "no-store" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not already:
            add_never_cache_headers(response)
        return response
