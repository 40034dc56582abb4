"""The one audit log: every recorded action on personal data goes through audit_record().

Who, when, from which address, what (the action), on which object, in which village, with the
action's details. Views that have the request pass it; the services below them (enrollment's
history, the import save) pass the acting user, and the address comes from the request being
served, which AuditRequestMiddleware makes known. Outside a request (a management command, a
data load) there is no person at a page to audit: the services' own records (a registration's
history, an import batch) still keep what happened.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from .client_ip import client_ip
from .models import AuditEvent

_served: ContextVar = ContextVar("portal.audit.served", default=None)


class AuditRequestMiddleware:
    """Makes the request being served known to audit_record (for its client's address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _served.set(request)
        try:
            return self.get_response(request)
        finally:
            _served.reset(token)


def audit_record(
    *, action: str, request=None, by=None, obj=None, village=None, **detail: Any
) -> AuditEvent | None:
    """Write one audit event: `by` (else the request's user) did `action` on `obj` in `village`
    (a Village or its code), from the request's client address. None outside a request."""
    request = request or _served.get()
    if request is None:
        return None
    return AuditEvent.objects.create(
        user=by or request.user,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        village_id=getattr(village, "pk", village),
        detail=detail,
        ip_address=client_ip(request),
    )
