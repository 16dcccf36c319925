from django.urls import path

from tianjin_towns.lib.routes import entity_pages

from . import (
    bulk_views,
    catalogue_views,
    check_views,
    project_views,
    quality_views,
    sharing_views,
    views,
    work_info_views,
)

# The pages of a reviewed document: read, edit, submit, and the reviews' decisions.
REVIEWED = ("detail", "edit", "submit", "approve", "accept", "return")

urlpatterns = [
    *entity_pages("reports/", views, "report", "list", *REVIEWED, routes={"fill/": "fill"}),
    # Approving or accepting several reports at once (批量审核, issue 19)
    path("reports/bulk-review/", bulk_views.report_bulk_review, name="report-bulk-review"),
    path("ledger/", views.ledger, name="ledger"),
    # Data sharing with the member units (数据共享, issue 18)
    path("system/sharing/", sharing_views.sharing_list, name="sharing"),
    path("system/sharing/<int:pk>/", sharing_views.sharing_edit, name="sharing-edit"),
    path("system/indicator-sources/", check_views.indicator_sources, name="indicator-sources"),
    # Departmental cross-checks of the accepted figures (数据核对, issue 18)
    path("checks/", check_views.figure_checks, name="figure-checks"),
    path("checks/template/", check_views.figure_check_template, name="figure-check-template"),
    path("checks/upload/", check_views.figure_check_upload, name="figure-check-upload"),
    path("checks/discrepancies/", check_views.discrepancy_list, name="discrepancy-list"),
    path("checks/progress/", check_views.check_progress, name="check-progress"),
    path("checks/discrepancies/<int:pk>/", check_views.discrepancy_detail, name="discrepancy-detail"),
    path("checks/discrepancies/<int:pk>/explain/", check_views.discrepancy_explain, name="discrepancy-explain"),
    path("checks/discrepancies/<int:pk>/close/", check_views.discrepancy_close, name="discrepancy-close"),
    path("ledger/export/", views.ledger_export, name="ledger-export"),
    # Data quality (issue 3)
    path("reports/<int:pk>/reopen/", quality_views.report_reopen, name="report-reopen"),
    path("reports/<int:pk>/reopen/approve/", quality_views.report_reopen_approve, name="report-reopen-approve"),
    path("reports/<int:pk>/reopen/reject/", quality_views.report_reopen_reject, name="report-reopen-reject"),
    path("reports/<int:pk>/flags/<int:flag_id>/resolve/", quality_views.flag_resolve, name="flag-resolve"),
    path("reports/<int:pk>/evidence/<int:evidence_id>/", quality_views.evidence_download, name="evidence-download"),
    path("reports/<int:pk>/evidence/<int:evidence_id>/delete/", quality_views.evidence_delete, name="evidence-delete"),
    path("ledger/gaps/", quality_views.gaps, name="gaps"),
    path("ledger/import/", quality_views.ledger_import, name="ledger-import"),
    path("audit/", quality_views.audit, name="audit"),
    path("exceptions/", quality_views.entry_exceptions, name="entry-exceptions"),
    path("exceptions/<int:pk>/revoke/", quality_views.entry_exception_revoke, name="entry-exception-revoke"),
    # Work information
    *entity_pages(
        "work-info/",
        work_info_views,
        "work_info",
        "list",
        "create",
        *REVIEWED,
        routes={"briefing/": "briefing", "briefing/page/": "briefing_page", "briefing/issue/": "briefing_issue"},
    ),
    # Project ledger (重点项目台账, R-3.3; issue 15)
    *entity_pages(
        "projects/",
        project_views,
        "project",
        "list",
        "create",
        "detail",
        "edit",
        routes={
            "<int:pk>/attachments/": "attachment_upload",
            "<int:pk>/attachments/<int:attachment_id>/": "attachment",
        },
    ),
    # The indicator catalogue (R-1.7, SPEC §7)
    *entity_pages("system/indicators/", catalogue_views, "indicator", "list", "create", "edit"),
]
