from django.urls import path

from . import catalogue_views, project_views, quality_views, views, work_info_views

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/fill/", views.report_fill, name="report-fill"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report-submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report-approve"),
    path("reports/<int:pk>/accept/", views.report_accept, name="report-accept"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("ledger/", views.ledger, name="ledger"),
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
    path("work-info/", work_info_views.work_info_list, name="work-info-list"),
    path("work-info/new/", work_info_views.work_info_create, name="work-info-create"),
    path("work-info/briefing/", work_info_views.work_info_briefing, name="work-info-briefing"),
    path("work-info/<int:pk>/", work_info_views.work_info_detail, name="work-info-detail"),
    path("work-info/<int:pk>/edit/", work_info_views.work_info_edit, name="work-info-edit"),
    path("work-info/<int:pk>/submit/", work_info_views.work_info_submit, name="work-info-submit"),
    path("work-info/<int:pk>/approve/", work_info_views.work_info_approve, name="work-info-approve"),
    path("work-info/<int:pk>/accept/", work_info_views.work_info_accept, name="work-info-accept"),
    path("work-info/<int:pk>/return/", work_info_views.work_info_return, name="work-info-return"),
    # Project ledger (重点项目台账, R-3.3; issue 15)
    path("projects/", project_views.project_list, name="project-list"),
    path("projects/new/", project_views.project_create, name="project-create"),
    path("projects/<int:pk>/", project_views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", project_views.project_edit, name="project-edit"),
    path(
        "projects/<int:pk>/attachments/",
        project_views.project_attachment_upload,
        name="project-attachment-upload",
    ),
    path(
        "projects/<int:pk>/attachments/<int:attachment_id>/",
        project_views.project_attachment,
        name="project-attachment",
    ),
    # The indicator catalogue (R-1.7, SPEC §7)
    path("system/indicators/", catalogue_views.indicator_list, name="indicator-list"),
    path("system/indicators/new/", catalogue_views.indicator_create, name="indicator-create"),
    path("system/indicators/<int:pk>/edit/", catalogue_views.indicator_edit, name="indicator-edit"),
]
