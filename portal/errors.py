"""The server-error page (handler500): a database that went away is "try again shortly"."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

RETRY_AFTER = 30  # seconds


def server_error(request):
    """500, or 503 with Retry-After when the database is unreachable (a restart, a failover,
    a dropped connection), wherever it failed: in a view or in a middleware loading the user.
    Both pages render without the request: its context would query the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(render_to_string("500.html"))
