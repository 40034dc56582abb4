"""The bell's list: a user's own notifications, newest first, and marking them read."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .notifications import notifications_mark_read

NOTIFICATIONS_PER_PAGE = 30


def notification_list(request):
    """The user's notifications; a user sees only their own."""
    notifications = Notification.objects.filter(user=request.user)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/notifications/notification_list.html", {"page": page})


@require_POST
def notification_read(request, pk):
    """Mark one of the user's notifications read and follow its link (another user's: 404)."""
    notification = get_object_or_404(Notification, user=request.user, pk=pk)
    notifications_mark_read(user=request.user, pk=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notification_list")


@require_POST
def notification_read_all(request):
    notifications_mark_read(user=request.user)
    return redirect("notification_list")
