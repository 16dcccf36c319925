"""/api/v1/ routes of the ledgers app (API.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("indicators", api.IndicatorViewSet, basename="api-indicator")
router.register("monthly-reports", api.MonthlyReportViewSet, basename="api-monthly-report")
router.register("projects", api.ProjectViewSet, basename="api-project")

urlpatterns = [
    path("ledgers/export/", api.LedgerExportView.as_view(), name="api-ledger-export"),
    *router.urls,
]
