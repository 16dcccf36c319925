"""/api/v1/ routes of the assessments app (API.md): targets and assessment runs with their results."""

from tianjin_towns.lib.api import resource_urls

from . import api

urlpatterns = resource_urls(
    {"targets": (api.TargetViewSet, "api-target"), "assessments": (api.RunViewSet, "api-assessment")}
)
