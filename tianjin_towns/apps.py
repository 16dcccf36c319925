from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project package as an app: only to connect the security log's receivers at start-up."""

    name = "tianjin_towns"
    verbose_name = "天津市特色小镇规划建设协同平台"

    def ready(self) -> None:
        from . import checks, security  # noqa: F401 (checks registers the deployment's system checks)

        security.connect_receivers()


class PlatformAdminConfig(AdminConfig):
    """Django's admin with the platform's site (its name, the way back): Django's documented way to
    replace the default site, so that third-party apps' admin modules register on it as usual."""

    default_site = "tianjin_towns.admin_site.PlatformAdminSite"


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin. Its AppConfig has no verbose_name (the admin
    showed "Axes"); a subclass listed in INSTALLED_APPS names it without touching the package. The
    models' and fields' names come from locale/zh_Hans (axes ships no Chinese catalogue)."""

    verbose_name = _("登录安全")
