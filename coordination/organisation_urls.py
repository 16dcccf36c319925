"""系统管理 pages of the organisation's master data (R-1.1, R-1.4, R-1.5)."""

from django.urls import path

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
]
