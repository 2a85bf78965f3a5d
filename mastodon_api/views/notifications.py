"""Notifications: list, get, clear, dismiss. Chirp's reply is Mastodon's mention."""

from django.http import Http404
from rest_framework.request import Request
from rest_framework.response import Response

from mastodon_api.base import MastodonView
from mastodon_api.hydrate import NOTIFICATION_FIELDS, render_notifications
from mastodon_api.pagination import window
from mastodon_api.views.common import parse_pk
from notifications.selectors import visible_notifications
from notifications.services import notification_dismiss, notifications_clear

# Mastodon type -> Chirp types.
_CHIRP_TYPES = {"follow": ["follow"], "favourite": ["like"], "reblog": ["repost"], "mention": ["reply", "mention"]}
_FIELDS = NOTIFICATION_FIELDS


class _NotificationView(MastodonView):
    scopes = {"GET": "read:notifications", "POST": "write:notifications"}

    def render_rows(self, rows: list[dict]) -> list[dict]:
        """Notifications with their accounts and statuses: four queries for any page."""
        return render_notifications(self.renderer, rows, viewer=self.me)


class NotificationListView(_NotificationView):
    def get(self, request: Request) -> Response:
        qs = visible_notifications(viewer_id=self.me.pk)
        wanted = self.param_list("types")
        if wanted:
            qs = qs.filter(type__in=[t for name in wanted for t in _CHIRP_TYPES.get(name, [])])
        excluded = self.param_list("exclude_types")
        if excluded:
            qs = qs.exclude(type__in=[t for name in excluded for t in _CHIRP_TYPES.get(name, [])])
        if request.query_params.get("account_id"):
            qs = qs.filter(actor_id=parse_pk(request.query_params["account_id"]))
        rows = window(qs.values(*_FIELDS), self.cursor(), "id")
        if not rows:
            return Response([])
        return self.paged(self.render_rows(rows), first_id=rows[0]["id"], last_id=rows[-1]["id"])


class NotificationView(_NotificationView):
    def get(self, request: Request, notification_id: str) -> Response:
        rows = list(visible_notifications(viewer_id=self.me.pk).filter(pk=parse_pk(notification_id)).values(*_FIELDS))
        rendered = self.render_rows(rows)
        if not rendered:
            raise Http404("Record not found")
        return Response(rendered[0])


class NotificationClearView(_NotificationView):
    def post(self, request: Request) -> Response:
        notifications_clear(user=self.me)
        return Response({})


class NotificationDismissView(_NotificationView):
    """POST notifications/:id/dismiss, or the older POST notifications/dismiss with `id` in the body."""

    def post(self, request: Request, notification_id: str | None = None) -> Response:
        raw = notification_id if notification_id is not None else self.param("id")
        notification_dismiss(user=self.me, notification_id=parse_pk(raw))
        return Response({})
