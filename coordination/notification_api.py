"""GET /api/v1/notifications/ (API.md): the caller's notifications, newest first, with `read`; and marking them read."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tianjin_towns.lib.api import ListViewSet

from . import selectors, services
from .models import Notification
from .permissions import get_notification_for_user


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(read_only=True)
    about_type = serializers.SerializerMethodField()
    about_id = serializers.IntegerField(source="object_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "about_type", "about_id", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_about_type(self, notification: Notification) -> str | None:
        """The kind of object the notification is about, e.g. "ledgers.monthlyreport"."""
        content_type = notification.content_type
        return f"{content_type.app_label}.{content_type.model}" if content_type else None


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, source="unread_only", help_text="true: only unread notifications")


COUNT_RESPONSE = inline_serializer("NotificationCount", {"unread": serializers.IntegerField()})


class NotificationViewSet(ListViewSet):
    """The caller's own notifications (R-6.2), newest first. Anyone else's answers 404."""

    serializer_class = NotificationSerializer
    filter_serializer = NotificationFilterSerializer
    selector = staticmethod(selectors.notifications_for_user)
    door = staticmethod(get_notification_for_user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = get_notification_for_user(request.user, pk)
        services.notification_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return self.respond(notification)

    @extend_schema(request=None, responses=COUNT_RESPONSE)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark all of the caller's notifications read; answers how many are still unread (0)."""
        services.notification_mark_read(user=request.user)
        return Response({"unread": selectors.unread_count(request.user)}, status=status.HTTP_200_OK)

    @extend_schema(responses=COUNT_RESPONSE, parameters=[OpenApiParameter("unread", exclude=True)])
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """How many unread notifications the caller has (the badge in the page header)."""
        return Response({"unread": selectors.unread_count(request.user)})
