"""Routes of 系统管理 → 安全审计 and 安全策略 (included from coordination/urls.py)."""

from django.urls import path

from . import security_audit_views as views
from .security_policy_views import security_policy

urlpatterns = [
    path("system/security-policy/", security_policy, name="security-policy"),
    path("system/security-audit/", views.security_audit_list, name="security-audit"),
    path("system/security-audit/export.xlsx", views.security_audit_export, name="security-audit-export"),
]
