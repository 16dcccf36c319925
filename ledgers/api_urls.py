"""/api/v1/ routes of the ledgers app (API.md)."""

from django.urls import path

from tianjin_towns.lib.api import resource_urls

from . import api, feed_api, quality_api, timeliness_api

urlpatterns = [
    path("ledgers/export/", api.LedgerExportView.as_view(), name="api-ledger-export"),
    # The data-sharing feed (数据共享接口, issue 18; docs/api-feed.md).
    path("accepted-figures/", feed_api.AcceptedFiguresView.as_view(), name="api-accepted-figures"),
    # Data quality (issue 3): corrections, flags, evidence, import, audit search, gaps.
    path("monthly-reports/<int:pk>/reopen/", quality_api.ReopenView.as_view(), name="api-report-reopen"),
    path(
        "monthly-reports/<int:pk>/reopen/approve/",
        quality_api.ReopenApproveView.as_view(),
        name="api-report-reopen-approve",
    ),
    path(
        "monthly-reports/<int:pk>/reopen/reject/",
        quality_api.ReopenRejectView.as_view(),
        name="api-report-reopen-reject",
    ),
    path("monthly-reports/<int:pk>/flags/", quality_api.FlagsView.as_view(), name="api-report-flags"),
    path(
        "monthly-reports/<int:pk>/flags/<int:flag_id>/resolve/",
        quality_api.FlagResolveView.as_view(),
        name="api-report-flag-resolve",
    ),
    path("monthly-reports/<int:pk>/evidence/", quality_api.EvidenceView.as_view(), name="api-report-evidence"),
    path("ledgers/import/", quality_api.ImportView.as_view(), name="api-ledger-import"),
    path("audit/", quality_api.AuditView.as_view(), name="api-audit"),
    path("gaps/", quality_api.GapsView.as_view(), name="api-gaps"),
    path("timeliness/", timeliness_api.TimelinessView.as_view(), name="api-timeliness"),
    *resource_urls(
        {
            "indicators": (api.IndicatorViewSet, "api-indicator"),
            "monthly-reports": (api.MonthlyReportViewSet, "api-monthly-report"),
            "projects": (api.ProjectViewSet, "api-project"),
        }
    ),
]
