"""Recording access to personal data in the audit log."""

from __future__ import annotations

from typing import Any

from .client_ip import client_ip
from .models import AuditEvent


def audit_record(*, request, action: str, obj=None, village=None, **detail: Any) -> AuditEvent:
    """Write one audit event for the request's user (who, when, from where, what)."""
    return AuditEvent.objects.create(
        user=request.user,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        village=village,
        detail=detail,
        ip_address=client_ip(request),
    )
