"""/api/v1/ routes of the coordination app (API.md)."""

from django.urls import path

from tianjin_towns.lib.api import resource_urls

from . import (
    action_item_api,
    auth_api,
    cadence_api,
    document_api,
    meeting_api,
    notification_api,
    org_unit_api,
    organisation_api,
    people_api,
    plan_api,
    town_api,
)

urlpatterns = [
    path("auth/token/", auth_api.TokenView.as_view(), name="api-token"),
    path("cadence/", cadence_api.CadenceView.as_view(), name="api-cadence"),
    path("documents/<int:pk>/file/", document_api.IssuedDocumentFileView.as_view(), name="api-document-file"),
    *resource_urls(
        {
            "org-units": (org_unit_api.OrgUnitViewSet, "api-org-unit"),
            "towns": (town_api.TownViewSet, "api-town"),
            "meetings": (meeting_api.MeetingViewSet, "api-meeting"),
            "action-items": (action_item_api.ActionItemViewSet, "api-action-item"),
            "plans": (plan_api.PlanViewSet, "api-plan"),
            "notifications": (notification_api.NotificationViewSet, "api-notification"),
            "member-units": (organisation_api.MemberUnitViewSet, "api-member-unit"),
            "users": (people_api.UserViewSet, "api-user"),
            "auth/tokens": (auth_api.ApiTokenViewSet, "api-auth-token"),
            "documents": (document_api.IssuedDocumentViewSet, "api-document"),
        }
    ),
]
