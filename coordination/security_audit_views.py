"""Pages of 系统管理 → 安全审计 (issue 22, 等保 2.0): the audit administrator reads the security audit and exports it.
Both check access through coordination.security_audit_permissions; an export is itself a security event
(written by tianjin_towns.middleware.DownloadHeadersMiddleware, as for every download)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tianjin_towns.lib import downloads
from tianjin_towns.lib.dates import chinese_date
from tianjin_towns.lib.pages import filter_arguments, query_without_page, render_list_page
from tianjin_towns.lib.uploads import XLSX

from . import security_audit_selectors
from .security_audit_exports import security_events_workbook
from .security_audit_forms import SecurityEventFilterForm
from .security_audit_permissions import check_read_security_audit

PER_PAGE = 20
EXPORT_CHUNK = 2000
FILENAME = "安全审计记录.xlsx"


@login_required
def security_audit_list(request):
    check_read_security_audit(request.user)
    form = SecurityEventFilterForm(request.GET or None)
    events = security_audit_selectors.security_events(**filter_arguments(form))
    return render_list_page(request, "coordination/security/security_audit_list.html", form, events, PER_PAGE)


def _who(user) -> str:
    profile = getattr(user, "profile", None)
    return f"{profile.full_name}（{user.username}）" if profile and profile.full_name else user.username


@login_required
def security_audit_export(request):
    check_read_security_audit(request.user)
    form = SecurityEventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # An export never drops a filter it could not read: back to the list, which shows the error.
        messages.error(request, _("筛选条件有误，请修改后再导出。"))
        return redirect(f"{reverse('security-audit')}?{query_without_page(request)}")
    events = security_audit_selectors.security_events(**filter_arguments(form))
    now = timezone.localtime()
    filters = "；".join(form.described()) if form.is_bound else ""
    note = _("导出时间：%(time)s　导出人：%(who)s　筛选条件：%(filters)s") % {
        "time": f"{chinese_date(now.date())} {now:%H:%M}",
        "who": _who(request.user),
        "filters": filters or _("无（全部记录）"),
    }
    content, count = security_events_workbook(events.iterator(chunk_size=EXPORT_CHUNK), note=note)
    # DownloadHeadersMiddleware writes the export's row of the security audit (EXPORTED, by the auditor, with
    # the number of rows): an export of the audit is audited like any other.
    target = _("安全审计记录（%(count)s条）") % {"count": count}
    return downloads.attachment(content, content_type=XLSX, filename=FILENAME, target=target)
