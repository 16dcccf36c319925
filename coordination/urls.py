from django.urls import include, path

from tianjin_towns.lib.routes import entity_pages

from . import (
    account_views,
    action_item_views,
    cadence_views,
    document_pdf_views,
    document_views,
    export_views,
    meeting_views,
    notification_views,
    people_views,
    plan_views,
    policy_views,
    two_factor_views,
)

urlpatterns = [
    # Session login and logout for the browser pages (templates/registration/).
    # A successful change also ends a one-time password's obligation (people_views); before Django's own.
    path("accounts/password_change/", people_views.PasswordChangeView.as_view(), name="password_change"),
    # Reset e-mails limited per address, account and client (account_views); before Django's own.
    path("accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    # A password set through a reset link ends the account's API tokens like any change (account_views).
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    *entity_pages("accounts/api-tokens/", account_views, "api_token", "list", "revoke"),
    # Two factors at sign-in (coordination.two_factor): the code after the password, enrolling an app, 账号安全.
    path("accounts/two-factor/", two_factor_views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", two_factor_views.two_factor_setup, name="two-factor-setup"),
    path("accounts/security/", two_factor_views.account_security, name="account-security"),
    path("accounts/security/recovery-codes/", two_factor_views.recovery_codes_renew, name="two-factor-recovery-codes"),
    path("accounts/security/disable/", two_factor_views.two_factor_disable, name="two-factor-disable"),
    # A Word document's PDF copy, made in the background (coordination.document_pdfs).
    path("documents/pdf/", document_pdf_views.document_pdf, name="document-pdf"),
    # The documents issued (公文登记) and each one's file as issued (issue 20).
    path("documents/", document_views.document_list, name="document-list"),
    path("documents/<int:pk>/file/", document_views.document_file, name="document-file"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Notification centre and background exports.
    *entity_pages(
        "notifications/", notification_views, "notification", "list", "open", "read", routes={"read-all/": "read_all"}
    ),
    *entity_pages("exports/", export_views, "export_job", "detail", "progress", "download"),
    # Meetings, action items, plans, cadence, organisation and policies (issue 4).
    *entity_pages(
        "meetings/",
        meeting_views,
        "meeting",
        "list",
        "create",
        "detail",
        "edit",
        "approve_minutes",
        "delete",
        routes={
            "<int:pk>/held/": "hold",
            "<int:pk>/minutes.docx": "minutes_docx",
            "<int:pk>/minutes/issue/": "minutes_issue",
            "<int:pk>/attachments/": "attach",
            "<int:pk>/attachments/<int:attachment_pk>/": "attachment",
        },
    ),
    path("meetings/<int:pk>/decisions/", meeting_views.decision_add, name="decision-add"),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/delete/", meeting_views.decision_delete, name="decision-delete"
    ),
    path(
        "meetings/<int:pk>/decisions/<int:decision_pk>/action-item/",
        action_item_views.action_item_create,
        name="action-item-create",
    ),
    *entity_pages(
        "action-items/",
        action_item_views,
        "action_item",
        "list",
        "detail",
        "progress",
        "verify",
        "reject",
        routes={"<int:pk>/evidence/<int:event_pk>/": "evidence"},
    ),
    *entity_pages(
        "plans/",
        plan_views,
        "plan",
        "list",
        "create",
        "detail",
        "resubmit",
        "review",
        routes={
            "<int:pk>/attachments/<int:attachment_pk>/": "attachment",
            # Opinions of member units (会签, issue 18).
            "<int:pk>/opinions/": "opinions_request",
            "<int:pk>/opinions/<int:opinion_pk>/": "opinion_give",
            "<int:pk>/opinions/<int:opinion_pk>/file/": "opinion_file",
        },
    ),
    path("cadence/", cadence_views.cadence, name="cadence"),
    path("organisation/", policy_views.organisation, name="organisation"),
    *entity_pages("policies/", policy_views, "policy", "list", "create", "edit", "file"),
    # 系统管理: member units, org unit names, routing of work (issue 15).
    path("", include("coordination.organisation_urls")),
    # Towns and their lifecycle (issue 15).
    path("", include("coordination.town_urls")),
    # 系统管理 → 用户与角色, and the information-officer registry (issue 15).
    path("", include("coordination.people_urls")),
    # 系统管理 → 安全审计: the audit administrator's reading and export of the security audit (issue 22).
    path("", include("coordination.security_urls")),
]
