"""Who may open which page: role checks shared by every app's views."""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .roles import has_any_role


def _has_role(user, roles: tuple[str, ...]) -> bool:
    return user.is_active and has_any_role(user, roles)


def role_required(*roles: str):
    """Let through only active users with one of `roles` (a set named in portal.roles, e.g.
    `role_required(*STAFF)`); anyone else gets 403 (anonymous users were already sent to log in
    by the middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin(AccessMixin):
    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not _has_role(request.user, self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
