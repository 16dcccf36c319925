"""The notification centre (R-6.2): the user's own notifications, newest first, and marking them read.

Every notification belongs to its recipient alone; the door (get_notification_for_user) answers 404
for anyone else's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tianjin_towns.lib.pages import page_of

from . import selectors, services
from .permissions import get_notification_for_user

NOTIFICATIONS_PER_PAGE = 20


@login_required
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    notifications = selectors.notifications_for_user(request.user, unread_only=unread_only)
    page = page_of(request, notifications, NOTIFICATIONS_PER_PAGE)
    return render(
        request,
        "coordination/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "query": "show=unread" if unread_only else "",
            "unread": selectors.unread_count(request.user),
        },
    )


def _local(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


@login_required
def notification_open(request, pk: int):
    """Follow a notification to what it is about; reading it marks it read."""
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.link if _local(request, notification.link) else "notification-list")


def _back(request):
    target = request.POST.get("next", "")
    if target.startswith("/") and _local(request, target):  # a path on this site, never a view name to reverse
        return HttpResponseRedirect(target)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_notification_for_user(request.user, pk)
    services.notification_mark_read(user=request.user, ids=[notification.pk])
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return _back(request)
