from django.urls import include, path

from . import (
    account_views,
    action_item_views,
    cadence_views,
    export_views,
    meeting_views,
    notification_views,
    people_views,
    plan_views,
    policy_views,
)

urlpatterns = [
    # Session login and logout for the browser pages (templates/registration/).
    # A successful change also ends a one-time password's obligation (people_views); before Django's own.
    path("accounts/password_change/", people_views.PasswordChangeView.as_view(), name="password_change"),
    # Reset e-mails limited per address, account and client (account_views); before Django's own.
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/api-tokens/", account_views.api_token_list, name="api-token-list"),
    path("accounts/api-tokens/<int:pk>/revoke/", account_views.api_token_revoke, name="api-token-revoke"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Notification centre and background exports.
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/read-all/", notification_views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/open/", notification_views.notification_open, name="notification-open"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification-read"),
    path("exports/<int:pk>/", export_views.export_job_detail, name="export-job-detail"),
    path("exports/<int:pk>/progress/", export_views.export_job_progress, name="export-job-progress"),
    path("exports/<int:pk>/download/", export_views.export_job_download, name="export-job-download"),
    # Meetings, action items, plans, cadence, organisation and policies (issue 4).
    path("meetings/", meeting_views.meeting_list, name="meeting-list"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/held/", meeting_views.meeting_hold, name="meeting-hold"),
    path("meetings/<int:pk>/approve-minutes/", meeting_views.meeting_approve_minutes, name="meeting-approve-minutes"),
    path("meetings/<int:pk>/delete/", meeting_views.meeting_delete, name="meeting-delete"),
    path("meetings/<int:pk>/minutes.docx", meeting_views.meeting_minutes_docx, name="meeting-minutes-docx"),
    path("meetings/<int:pk>/decisions/", meeting_views.decision_add, name="decision-add"),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/delete/", meeting_views.decision_delete, name="decision-delete"
    ),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/action-item/",
        action_item_views.action_item_create,
        name="action-item-create",
    ),
    path("meetings/<int:pk>/attachments/", meeting_views.meeting_attach, name="meeting-attach"),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_pk>/",
        meeting_views.meeting_attachment,
        name="meeting-attachment",
    ),
    path("action-items/", action_item_views.action_item_list, name="action-item-list"),
    path("action-items/<int:pk>/", action_item_views.action_item_detail, name="action-item-detail"),
    path("action-items/<int:pk>/progress/", action_item_views.action_item_progress, name="action-item-progress"),
    path("action-items/<int:pk>/verify/", action_item_views.action_item_verify, name="action-item-verify"),
    path("action-items/<int:pk>/reject/", action_item_views.action_item_reject, name="action-item-reject"),
    path(
        "action-items/<int:pk>/evidence/<int:event_pk>/",
        action_item_views.action_item_evidence,
        name="action-item-evidence",
    ),
    path("plans/", plan_views.plan_list, name="plan-list"),
    path("plans/new/", plan_views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/resubmit/", plan_views.plan_resubmit, name="plan-resubmit"),
    path("plans/<int:pk>/review/", plan_views.plan_review, name="plan-review"),
    path("plans/<int:pk>/attachments/<int:attachment_pk>/", plan_views.plan_attachment, name="plan-attachment"),
    path("cadence/", cadence_views.cadence, name="cadence"),
    path("organisation/", policy_views.organisation, name="organisation"),
    path("policies/", policy_views.policy_list, name="policy-list"),
    path("policies/new/", policy_views.policy_create, name="policy-create"),
    path("policies/<int:pk>/edit/", policy_views.policy_edit, name="policy-edit"),
    path("policies/<int:pk>/file/", policy_views.policy_file, name="policy-file"),
    # 系统管理: member units, org unit names, routing of work (issue 15).
    path("", include("coordination.organisation_urls")),
    # Towns and their lifecycle (issue 15).
    path("", include("coordination.town_urls")),
    # 系统管理 → 用户与角色, and the information-officer registry (issue 15).
    path("", include("coordination.people_urls")),
]
