"""What the navigation bar may offer the user, read from the unit permissions (coordination.permissions),
never from role names: in a request the user's grants are remembered, so this costs no query."""

from django import template

from coordination import permissions as perms

register = template.Library()

# The 系统管理 menu is offered to holders of any of these (and to superusers, who hold them all).
SYSTEM_PERMS = (perms.MANAGE_USERS, perms.MANAGE_ORGANISATION, perms.MANAGE_CATALOGUE, perms.MANAGE_TOWNS)


@register.simple_tag
def nav_permissions(user) -> dict:
    """{% nav_permissions user as can %}: can.sees_data, can.audit, can.system, can.manage_users, …"""
    held = perms.unit_perms_held(user)
    return {
        "sees_data": perms.VIEW in held,
        "audit": perms.can_audit(user),
        "system": any(perm in held for perm in SYSTEM_PERMS) or bool(getattr(user, "is_staff", False)),
        "manage_users": perms.MANAGE_USERS in held,
        "manage_organisation": perms.MANAGE_ORGANISATION in held,
        "manage_catalogue": perms.MANAGE_CATALOGUE in held,
        "manage_towns": perms.MANAGE_TOWNS in held,
        "admin_site": bool(getattr(user, "is_staff", False)),
    }


# URL names of the pages under the 系统管理 menu (by prefix), to mark the menu as the current one.
SYSTEM_PAGE_PREFIXES = (
    "user-",
    "officer-registry",
    "town-",
    "org-unit-",
    "member-unit-",
    "routing",
    "indicator-",
)


@register.filter
def is_system_page(url_name: str | None) -> bool:
    return bool(url_name) and url_name.startswith(SYSTEM_PAGE_PREFIXES)
