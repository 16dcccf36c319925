"""Routes of 系统管理 → 用户与角色 and the information-officer registry (included from coordination/urls.py)."""

from django.urls import path

from . import people_views as views

urlpatterns = [
    path("system/users/", views.user_list, name="user-list"),
    path("system/users/new/", views.user_create, name="user-create"),
    path("system/users/import/", views.user_import, name="user-import"),
    path("system/users/import/template.xlsx", views.user_import_template, name="user-import-template"),
    path("system/users/<int:pk>/", views.user_detail, name="user-detail"),
    path("system/users/<int:pk>/edit/", views.user_edit, name="user-edit"),
    path("system/users/<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("system/users/<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("system/users/<int:pk>/reset-password/", views.user_reset_password, name="user-reset-password"),
    path("system/users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("system/users/<int:pk>/reset-two-factor/", views.user_two_factor_reset, name="user-two-factor-reset"),
    path("system/officers/", views.officer_registry, name="officer-registry"),
]
