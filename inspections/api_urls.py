"""/api/v1/ routes of the inspections app (API.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("inspections", api.VisitViewSet, basename="api-inspection")
router.register("problems", api.ProblemViewSet, basename="api-problem")

urlpatterns = [
    path("inspections/files/<int:pk>/", api.AttachmentFileView.as_view(), name="api-inspection-file"),
    *router.urls,
]
