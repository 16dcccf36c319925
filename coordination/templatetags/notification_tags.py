"""How each kind of notification looks in the notification centre (the navbar's unread count:
tianjin_towns.inbox.navigation_counts)."""

from django import template

register = template.Library()

# kind → (Bootstrap icon, tone). Kinds come from every app; unknown ones get the bell.
KIND_STYLES = {
    "report_submitted": ("bi-send", "info"),
    "report_approved": ("bi-check2-square", "primary"),
    "report_accepted": ("bi-patch-check", "success"),
    "report_returned": ("bi-arrow-counterclockwise", "danger"),
    "report_opened": ("bi-calendar-plus", "primary"),
    "report_due_soon": ("bi-hourglass-split", "warning"),
    "report_late": ("bi-alarm", "danger"),
    "report_missing": ("bi-x-octagon", "danger"),
    "export_ready": ("bi-file-earmark-excel", "success"),
    "export_failed": ("bi-file-earmark-x", "danger"),
    "calendar_missing": ("bi-calendar-x", "warning"),
}
OVERDUE_STYLE = ("bi-exclamation-triangle", "danger")
DUE_STYLE = ("bi-hourglass-split", "warning")


def _style(kind: str) -> tuple[str, str]:
    if kind in KIND_STYLES:
        return KIND_STYLES[kind]
    if "overdue" in kind or "missing" in kind or "late" in kind:
        return OVERDUE_STYLE
    if "due" in kind or "remind" in kind or "not_held" in kind:
        return DUE_STYLE
    return ("bi-bell", "secondary")


@register.filter
def notification_icon(kind: str) -> str:
    return _style(kind)[0]


@register.filter
def notification_tone(kind: str) -> str:
    return _style(kind)[1]


@register.filter
def body_parts(body: str) -> dict:
    """A reminder's body as its text lines and its listed items ("· " lines), so long lists can be laid out."""
    text, items = [], []
    for line in (body or "").splitlines():
        if line.startswith("· "):
            items.append(line[2:])
        elif line.strip():
            text.append(line)
    return {"text": text, "items": items}


@register.filter
def badge_count(value: int) -> str:
    """99+ past two digits, so the badge keeps its size (nav_counts.js does the same for the bar's badges)."""
    return "99+" if value > 99 else str(value)
