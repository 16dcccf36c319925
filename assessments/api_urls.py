"""/api/v1/ routes of the assessments app (API.md): targets and assessment runs with their results."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("targets", api.TargetViewSet, basename="api-target")
router.register("assessments", api.RunViewSet, basename="api-assessment")

urlpatterns = router.urls
