"""/api/v1/ routes of the coordination app (API.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, auth_api, notification_api, organisation_api, people_api, town_api

router = SimpleRouter()
router.register("org-units", api.OrgUnitViewSet, basename="api-org-unit")
router.register("towns", town_api.TownViewSet, basename="api-town")
router.register("meetings", api.MeetingViewSet, basename="api-meeting")
router.register("action-items", api.ActionItemViewSet, basename="api-action-item")
router.register("plans", api.PlanViewSet, basename="api-plan")
router.register("notifications", notification_api.NotificationViewSet, basename="api-notification")
router.register("member-units", organisation_api.MemberUnitViewSet, basename="api-member-unit")
router.register("users", people_api.UserViewSet, basename="api-user")
router.register("auth/tokens", auth_api.ApiTokenViewSet, basename="api-auth-token")

urlpatterns = [
    path("auth/token/", auth_api.TokenView.as_view(), name="api-token"),
    path("cadence/", api.CadenceView.as_view(), name="api-cadence"),
    *router.urls,
]
