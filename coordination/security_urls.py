"""Routes of 系统管理 → 安全审计 (included from coordination/urls.py)."""

from django.urls import path

from . import security_audit_views as views

urlpatterns = [
    path("system/security-audit/", views.security_audit_list, name="security-audit"),
    path("system/security-audit/export.xlsx", views.security_audit_export, name="security-audit-export"),
]
