"""Who may open which page: role checks shared by every app's views, and the one way a view
fetches what the user may see (each model's QuerySet.for_user, villages' one scoping rule)."""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

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


def scoped_or_404(queryset, user, **lookups):
    """The object of `queryset` matching `lookups` among those `user` may see (the queryset's
    for_user()), or 404: the same answer as for one that does not exist."""
    return get_object_or_404(queryset.for_user(user), **lookups)


class ScopedQuerysetMixin:
    """For class-based views of scoped data: get_queryset() holds only what the user may see
    (the queryset's for_user()); a detail view outside it answers 404."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)
