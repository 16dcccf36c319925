"""/api/v1/ routes of the coordination app (API.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("org-units", api.OrgUnitViewSet, basename="api-org-unit")
router.register("towns", api.TownViewSet, basename="api-town")

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    *router.urls,
]
