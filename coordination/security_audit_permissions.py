"""The door of 系统管理 → 安全审计 (issue 22, 等保 2.0): the security audit is read and exported by the audit
administrator alone (三员分立: READ_SECURITY_AUDIT on the municipality), and by a superuser, who installs the
platform. The security and system administrators, who are audited, do not read it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission

from .models import OrgUnit
from .permissions import READ_SECURITY_AUDIT, holds_on_municipality


def reads_security_audit(user: AbstractBaseUser) -> bool:
    """Whether `user` reads the security audit (a superuser holds every permission on every unit)."""
    return holds_on_municipality(user, READ_SECURITY_AUDIT)


def check_read_security_audit(user: AbstractBaseUser) -> None:
    """The door of the audit's list and its export: 403, with the reason, unless `reads_security_audit`."""
    if not reads_security_audit(user):
        raise PermissionDenied(_("安全审计记录仅限安全审计员查阅和导出。"))


def security_auditors() -> QuerySet:
    """The active holders of READ_SECURITY_AUDIT (the audit administrators), who receive the daily anomalies."""
    holders = UserObjectPermission.objects.filter(
        permission__codename=READ_SECURITY_AUDIT, content_type=ContentType.objects.get_for_model(OrgUnit)
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("pk")
