"""/api/v1/ routes of the inspections app (API.md)."""

from django.urls import path

from tianjin_towns.lib.api import resource_urls

from . import api

urlpatterns = [
    path("inspections/files/<int:pk>/", api.AttachmentFileView.as_view(), name="api-inspection-file"),
    *resource_urls(
        {"inspections": (api.VisitViewSet, "api-inspection"), "problems": (api.ProblemViewSet, "api-problem")}
    ),
]
