"""The user's notifications: the in-app list, opening one (marks it read), e-mail choices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import EmailPreferencesForm
from notifications.models import Notification

PAGE_SIZE = 30


@login_required
def notification_list(request):
    page = Paginator(services.user_notifications(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    form = EmailPreferencesForm(initial=services.email_wanted(request.user))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "form": form, "unread_total": services.unread_count(request.user)},
    )


@login_required
def notification_open(request, pk: int):
    """Mark the item read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, [notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification-list")


@require_POST
@login_required
def notification_mark_all_read(request):
    count = services.mark_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification-list")


@require_POST
@login_required
def notification_preferences(request):
    form = EmailPreferencesForm(request.POST)
    if form.is_valid():
        services.set_email_preferences(request.user, form.wanted())
        messages.success(request, _("Your e-mail choices are saved."))
    return redirect("notification-list")
