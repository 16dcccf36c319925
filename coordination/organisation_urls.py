"""系统管理 pages of the organisation's master data (R-1.1, R-1.4, R-1.5)."""

from django.urls import path

from . import client_views
from . import organisation_views as views

urlpatterns = [
    path("system/member-units/", views.member_unit_list, name="member-unit-list"),
    path("system/member-units/new/", views.member_unit_create, name="member-unit-create"),
    path("system/member-units/<int:pk>/edit/", views.member_unit_edit, name="member-unit-edit"),
    path("system/member-units/<int:pk>/retire/", views.member_unit_retire, name="member-unit-retire"),
    path("system/member-units/<int:pk>/reactivate/", views.member_unit_reactivate, name="member-unit-reactivate"),
    path("system/org-units/", views.org_unit_list, name="org-unit-list"),
    path("system/org-units/<int:pk>/rename/", views.org_unit_rename, name="org-unit-rename"),
    path("system/routing/", views.routing, name="routing"),
    # API clients of the data-sharing feed (issue 18)
    path("system/api-clients/", client_views.api_client_list, name="api-client-list"),
    path("system/api-clients/new/", client_views.api_client_create, name="api-client-create"),
    path("system/api-clients/<int:pk>/", client_views.api_client_detail, name="api-client-detail"),
    path("system/api-clients/<int:pk>/tokens/", client_views.api_client_token_issue, name="api-client-token-issue"),
    path(
        "system/api-clients/<int:pk>/tokens/<int:token_pk>/revoke/",
        client_views.api_client_token_revoke,
        name="api-client-token-revoke",
    ),
    path("system/api-clients/<int:pk>/deactivate/", client_views.api_client_deactivate, name="api-client-deactivate"),
]
