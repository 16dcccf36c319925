"""/api/v1/ routes of the coordination app (API.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import (
    action_item_api,
    auth_api,
    cadence_api,
    meeting_api,
    notification_api,
    org_unit_api,
    organisation_api,
    people_api,
    plan_api,
    town_api,
)

router = SimpleRouter()
router.register("org-units", org_unit_api.OrgUnitViewSet, basename="api-org-unit")
router.register("towns", town_api.TownViewSet, basename="api-town")
router.register("meetings", meeting_api.MeetingViewSet, basename="api-meeting")
router.register("action-items", action_item_api.ActionItemViewSet, basename="api-action-item")
router.register("plans", plan_api.PlanViewSet, basename="api-plan")
router.register("notifications", notification_api.NotificationViewSet, basename="api-notification")
router.register("member-units", organisation_api.MemberUnitViewSet, basename="api-member-unit")
router.register("users", people_api.UserViewSet, basename="api-user")
router.register("auth/tokens", auth_api.ApiTokenViewSet, basename="api-auth-token")

urlpatterns = [
    path("auth/token/", auth_api.TokenView.as_view(), name="api-token"),
    path("cadence/", cadence_api.CadenceView.as_view(), name="api-cadence"),
    *router.urls,
]
