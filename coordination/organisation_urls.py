"""系统管理 pages of the organisation's master data (R-1.1, R-1.4, R-1.5)."""

from django.urls import path

from tianjin_towns.lib.routes import entity_pages

from . import client_views
from . import organisation_views as views

urlpatterns = [
    *entity_pages("system/member-units/", views, "member_unit", "list", "create", "edit", "retire", "reactivate"),
    *entity_pages("system/org-units/", views, "org_unit", "list", "rename"),
    path("system/routing/", views.routing, name="routing"),
    # API clients of the data-sharing feed (issue 18)
    *entity_pages(
        "system/api-clients/",
        client_views,
        "api_client",
        "list",
        "create",
        "detail",
        "deactivate",
        routes={"<int:pk>/tokens/": "token_issue", "<int:pk>/tokens/<int:token_pk>/revoke/": "token_revoke"},
    ),
]
