"""Query strings with a NUL character are refused with the 400 page before any view reads
them: PostgreSQL cannot hold a NUL in a text value, and every filter, search box and export
that passed one to a query answered 500 (export filters, /akun/pengguna/?q=,
/kegiatan/?campaign=). Forms refuse NULs in posted fields themselves (Django's
ProhibitNullCharactersValidator)."""

from django.core.exceptions import SuspiciousOperation


class NulQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise SuspiciousOperation("NUL character in the query string")
        return self.get_response(request)
