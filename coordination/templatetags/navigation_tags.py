"""What the navigation bar may offer the user, read from the unit permissions (coordination.permissions),
never from role names: in a request the user's grants are remembered, so this costs no query. The bar's
entries are one table (NAV_MENUS) that nav_menu_items writes out for the navbar template."""

import functools
from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination import issued_documents
from coordination import permissions as perms
from coordination.models import SharedKind
from tianjin_towns.lib.routes import named_url

register = template.Library()

# The 系统管理 menu is offered to holders of any of these (and to superusers, who hold them all).
SYSTEM_PERMS = (
    perms.MANAGE_USERS,
    perms.MANAGE_ORGANISATION,
    perms.MANAGE_CATALOGUE,
    perms.MANAGE_TOWNS,
    perms.MANAGE_SECURITY,
    perms.READ_SECURITY_AUDIT,
)
# The security and audit administrators' permissions (三员分立): they do none of the towns' work, so the menus of
# that work are not offered to someone who holds only these.
ADMINISTRATION_ONLY = frozenset({perms.MANAGE_SECURITY, perms.READ_SECURITY_AUDIT})


@register.simple_tag
def nav_permissions(user) -> dict:
    """{% nav_permissions user as can %}: can.sees_data, can.audit, can.system, can.manage_users, …

    Each entry is the rule the page it opens applies (a page that would refuse the user, or tell them they may not
    use it, is not offered); tests/test_nav_entries.py opens every entry as every persona."""
    held = perms.unit_perms_held(user)
    shared = perms.shared_kinds_for_user(user) if perms.VIEW_SHARED in held else frozenset()
    return {
        "business": bool(held - ADMINISTRATION_ONLY) or not held,
        "sees_data": perms.VIEW in held,
        # 公文登记: what the office and the districts issued goes to everyone who reads data.
        "reads_documents": issued_documents.reads_documents(user),
        # 批量审核: the district leader approves, the office accepts (ledgers.permissions.BULK_STEPS).
        "reviews_reports": perms.APPROVE in held or perms.ACCEPT in held,
        # The Excel import is a district's: ledgers.permissions.can_import_reports (no query without FILL, nor for
        # a town's officer, who fills in towns only).
        "imports_reports": perms.FILL in held
        and not perms.holds_on_towns_only(user, perms.FILL)
        and perms.districts_for_user(user, perms.FILL).exists(),
        # What the office shares with a member unit's liaison (数据共享): accepted records only.
        "reads_figures": perms.VIEW in held or SharedKind.FIGURES in shared,
        "reads_dashboards": perms.VIEW in held or SharedKind.DASHBOARDS in shared,
        "reads_projects": perms.VIEW in held or SharedKind.PROJECTS in shared,
        "manage_sharing": perms.works_for_office(user),
        "audit": perms.can_audit(user),
        "system": any(perm in held for perm in SYSTEM_PERMS) or bool(getattr(user, "is_staff", False)),
        "manage_users": perms.MANAGE_USERS in held,
        "lists_users": perms.MANAGE_USERS in held or perms.MANAGE_SECURITY in held,
        "reads_security_audit": perms.READ_SECURITY_AUDIT in held,
        "secures_accounts": perms.MANAGE_SECURITY in held,
        "manage_organisation": perms.MANAGE_ORGANISATION in held,
        "manage_catalogue": perms.MANAGE_CATALOGUE in held,
        "manage_towns": perms.MANAGE_TOWNS in held,
        "admin_site": bool(getattr(user, "is_staff", False)),
    }


@dataclass(frozen=True)
class NavLink:
    """A page the bar links to, labelled with the page's own title: `needs` names the nav_permissions entry it
    asks for (besides its menu's), `count` the waiting count shown as a badge after it, `divider` a line before
    it in its menu."""

    url_name: str
    label: str
    icon: str
    needs: str = ""
    count: str = ""
    divider: bool = False


@dataclass(frozen=True)
class NavMenu:
    """An entry of the bar: a dropdown of `links`, or a plain link to `url_name`. It is the current one on the
    pages of `pages` (URL names; one ending in "-" stands for every name it begins). `count` names the
    waiting count shown as a badge, with `count_title` as its tooltip; `menu_class` the dropdown's classes."""

    label: str
    icon: str
    pages: tuple[str, ...]
    links: tuple[NavLink, ...] = ()
    url_name: str = ""
    needs: str = ""
    count: str = ""
    count_title: str = ""
    menu_class: str = "shadow-sm"


NAV_MENUS = (
    # Its badge counts everything the home page lists (tianjin_towns.inbox), as the page does.
    NavMenu(
        _("待我处理"), "bi-inbox", ("home",), url_name="home", count="waiting", count_title=_("首页列出的待办事项")
    ),
    NavMenu(_("领导驾驶舱"), "bi-speedometer2", ("dashboard",), url_name="dashboard", needs="reads_dashboards"),
    NavMenu(
        _("信息统计"),
        "bi-journal-text",
        ("report-", "ledger", "work-info-", "project-", "figure-checks", "discrepancy-"),
        count="info_waiting",
        count_title=_("待处理的工作信息"),
        needs="business",
        menu_class="",
        links=(
            NavLink("report-list", _("月报管理"), "bi-journal-text", needs="sees_data"),
            NavLink("report-bulk-review", _("批量审核"), "bi-ui-checks", needs="reviews_reports"),
            NavLink("ledger", _("统计台账"), "bi-table", needs="reads_figures"),
            NavLink("discrepancy-list", _("数据核对"), "bi-check2-square", needs="reads_figures"),
            NavLink("project-list", _("项目台账"), "bi-kanban", needs="reads_projects"),
            NavLink("work-info-list", _("信息报送"), "bi-megaphone", count="info_waiting"),
        ),
    ),
    NavMenu(
        _("数据质量"),
        "bi-shield-check",
        ("gaps", "ledger-import", "audit", "entry-exceptions"),
        needs="sees_data",
        links=(
            NavLink("gaps", _("查漏补缺"), "bi-search"),
            NavLink("ledger-import", _("Excel导入月报数据"), "bi-upload", needs="imports_reports"),
            NavLink("entry-exceptions", _("补报例外"), "bi-unlock"),
            NavLink("audit", _("审计查询"), "bi-clock-history", needs="audit"),
        ),
    ),
    NavMenu(
        _("协调推动"),
        "bi-people",
        ("meeting-", "action-item-", "plan-", "cadence", "organisation", "policy-", "decision-add", "document-"),
        needs="business",
        links=(
            NavLink("meeting-list", _("会议活动"), "bi-calendar2-event"),
            NavLink("action-item-list", _("督办事项"), "bi-flag"),
            NavLink("cadence", _("工作节奏达标"), "bi-grid-3x3-gap"),
            NavLink("plan-list", _("规划报审"), "bi-map"),
            NavLink("organisation", _("组织体系"), "bi-diagram-3", divider=True),
            NavLink("policy-list", _("支持政策"), "bi-journal-bookmark"),
            NavLink("document-list", _("公文登记"), "bi-file-earmark-text", needs="reads_documents", divider=True),
        ),
    ),
    NavMenu(
        _("现场督办"),
        "bi-geo-alt",
        ("inspection-", "problem-"),
        url_name="inspection-list",
        needs="business",
        count="problems_waiting",
        count_title=_("待整改或待核验的问题"),
    ),
    NavMenu(
        _("督查考核"),
        "bi-trophy",
        ("assessment-",),
        needs="business",
        links=(
            NavLink("assessment-overview", _("督查考核"), "bi-trophy"),
            NavLink("assessment-targets", _("年度计划"), "bi-bullseye", needs="sees_data"),
            NavLink("assessment-schemes", _("考核方案"), "bi-list-check"),
            NavLink("assessment-self-evaluations", _("自查自评自纠"), "bi-clipboard2-pulse", needs="sees_data"),
        ),
    ),
    NavMenu(
        _("系统管理"),
        "bi-gear",
        (
            "user-",
            "officer-registry",
            "town-",
            "org-unit-",
            "member-unit-",
            "routing",
            "sharing",
            "indicator-",
            "api-client-",
            "security-",
        ),
        needs="system",
        menu_class="dropdown-menu-xl-end shadow-sm",
        links=(
            NavLink("user-list", _("用户与角色"), "bi-person-gear", needs="lists_users"),
            NavLink("officer-registry", _("信息员名册"), "bi-person-badge", needs="manage_users"),
            NavLink("town-list", _("特色小镇"), "bi-houses", needs="manage_towns"),
            NavLink("org-unit-list", _("组织单位"), "bi-diagram-3", needs="manage_organisation", divider=True),
            NavLink("member-unit-list", _("成员单位"), "bi-building", needs="manage_organisation"),
            NavLink("sharing", _("数据共享"), "bi-share", needs="manage_sharing"),
            NavLink("api-client-list", _("接口客户端"), "bi-plug", needs="manage_sharing"),
            NavLink("indicator-sources", _("数据核对分工"), "bi-diagram-2", needs="manage_sharing"),
            NavLink("routing", _("事项分工"), "bi-signpost-split", needs="manage_organisation"),
            NavLink("indicator-list", _("统计指标"), "bi-list-ol", needs="manage_catalogue"),
            NavLink("security-policy", _("安全策略"), "bi-shield-check", needs="secures_accounts", divider=True),
            NavLink("security-audit", _("安全审计"), "bi-shield-lock", needs="reads_security_audit", divider=True),
            NavLink("admin:index", _("后台管理"), "bi-sliders", needs="admin_site", divider=True),
        ),
    ),
)


def is_nav_page(url_name: str | None, pages: tuple[str, ...]) -> bool:
    """Whether `url_name` is one of `pages` (a name ending in "-" stands for every name it begins)."""
    if not url_name:
        return False
    return any(url_name.startswith(page) if page.endswith("-") else url_name == page for page in pages)


def _url(url_name: str) -> str:
    try:
        return named_url(url_name)
    except NoReverseMatch:  # a page not routed in this deployment is not offered
        return ""


def _links(links: tuple[NavLink, ...], can: dict) -> list[dict]:
    shown = []
    for link in links:
        url = _url(link.url_name)
        if url and (not link.needs or can[link.needs]):
            shown.append({"link": link, "url": url})
    return shown


@register.simple_tag
def nav_menus(user, current: str | None) -> list[dict]:
    """{% nav_menus user current as menus %}: the bar's entries the user may see, each with its menu (NavMenu),
    url (a plain link's), links (a dropdown's: link and url) and whether it is the current one. The counts the
    entries name (`count`) are not the page's: static/js/nav_counts.js fills them in (tianjin_towns.inbox)."""
    return _menus(nav_permissions(user), current)


def _menus(can: dict, current: str | None) -> list[dict]:
    menus = []
    for menu in NAV_MENUS:
        if menu.needs and not can[menu.needs]:
            continue
        entry = {"menu": menu, "active": is_nav_page(current, menu.pages)}
        if menu.links:
            entry["links"] = _links(menu.links, can)
        else:
            entry["url"] = _url(menu.url_name)
            entry["current"] = current == menu.url_name
        menus.append(entry)
    return menus


def _count_badge(name: str, title="", margin: str = "ms-1") -> str:
    """The waiting count after an entry, hidden until static/js/nav_counts.js has it (and while it is 0)."""
    if not name:
        return ""
    title = f' title="{escape(title)}"' if title else ""
    return f'<span class="badge rounded-pill text-bg-warning {margin} d-none" data-nav-count="{escape(name)}"{title}></span>'


def _entry_html(entry: dict) -> str:
    menu, active = entry["menu"], " active" if entry["active"] else ""
    head = f'<i class="bi {escape(menu.icon)}" aria-hidden="true"></i> {escape(menu.label)}\n      {_count_badge(menu.count, menu.count_title)}'
    if "links" not in entry:
        current = ' aria-current="page"' if entry["current"] else ""
        return (
            f'<li class="nav-item">\n    <a class="nav-link{active}" href="{escape(entry["url"])}"{current}>\n      {head}\n'
            "    </a>\n  </li>"
        )
    if not entry["links"]:
        return ""  # a dropdown with nothing the user may open is not offered
    items = []
    for item in entry["links"]:
        link = item["link"]
        if link.divider:
            items.append('<li><hr class="dropdown-divider"></li>')
        counted = " d-flex align-items-center gap-1" if link.count else ""
        items.append(
            f'<li><a class="dropdown-item{counted}" href="{escape(item["url"])}"><i class="bi {escape(link.icon)}" '
            f'aria-hidden="true"></i> {escape(link.label)}{_count_badge(link.count, margin="ms-auto")}</a></li>'
        )
    return (
        f'<li class="nav-item dropdown">\n    <a class="nav-link dropdown-toggle{active}" href="#" role="button" '
        f'data-bs-toggle="dropdown" aria-expanded="false">\n      {head}\n    </a>\n'
        f'    <ul class="dropdown-menu {escape(menu.menu_class)}">\n      '
        + "\n      ".join(items)
        + "\n    </ul>\n  </li>"
    )


@register.simple_tag
def nav_menu_items(user, current: str | None) -> str:
    """{% nav_menu_items user current %}: the bar's entries (nav_menus) as the items of its list, written here
    rather than looped over in the template, since the bar is on every page and the loop cost more than the
    rest of it (escaped: the labels are the app's own, the URLs reversed)."""
    can = tuple(nav_permissions(user).items())
    return _menu_items_html(can, current, get_language(), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=512)
def _menu_items_html(can: tuple, current: str | None, language: str, prefix: str, urlconf) -> str:
    """The items for what the user may open (`can`, nav_permissions' entries) on the page `current`: the same text
    for everyone who may open the same pages, remembered per language, script prefix and URLconf (the labels'
    translation and the URLs), the arguments it is written from."""
    return mark_safe("\n  ".join(filter(None, (_entry_html(entry) for entry in _menus(dict(can), current)))))
