"""The badges every app's pages show: a status (or another choice) in its colour, a plain badge, and the
dash of an empty value. A state has one colour across the platform, by its word (STATE_COLOURS); a template
tag library names only the colours its own choices give another meaning."""

from django.utils.html import format_html

# The colour of a state by its value, whichever app's choices it belongs to: what is not yet started grey,
# what waits for a review blue, an intermediate approval dark blue, what is done green, a warning yellow,
# what was returned or failed red; what judges (timeliness, bands, sanctions) in the soft shades. A value
# missing here is light.
STATE_COLOURS = {
    # a submission and its reviews (monthly reports, work information, plans and their versions)
    "draft": "text-bg-secondary",
    "submitted": "text-bg-info",
    "pending": "text-bg-info",
    "district_approved": "text-bg-primary",
    "approved": "text-bg-success",
    "accepted": "text-bg-success",
    "returned": "text-bg-danger",
    "published": "text-bg-success",
    # meetings
    "planned": "text-bg-secondary",
    "held": "text-bg-info",
    "minutes_approved": "text-bg-success",
    # what is rectified or carried out, then verified (problems, action items)
    "verified": "text-bg-success",
    # a town's lifecycle
    "reserve": "text-bg-secondary",
    "cultivating": "text-bg-info",
    "creating": "text-bg-primary",
    "named": "text-bg-success",
    "warned": "text-bg-warning",
    "downgraded": "text-bg-danger",
    "exited": "text-bg-dark",
    # a project's stage
    "preparing": "badge-soft-category",
    "new": "badge-soft-kind-onsite",
    "continuing": "text-bg-primary",
    "completed": "badge-soft-success",
    "suspended": "badge-soft-warning",
    # a monthly report's timeliness
    "on_time": "badge-soft-success",
    "late": "badge-soft-warning",
    "missing": "badge-soft-danger",
    # assessment grades, bands and sanctions
    "excellent": "text-bg-success",
    "good": "text-bg-primary",
    "pass": "text-bg-secondary",
    "fail": "text-bg-danger",
    "praise": "badge-soft-success",
    "warning": "badge-soft-warning",
    "downgrade": "badge-soft-danger",
    "exit": "text-bg-danger",
}


def badge(css: str, text, icon: str = "") -> str:
    """A Bootstrap badge with the classes `css`, and a Bootstrap icon before the text when `icon` is given."""
    if icon:
        return format_html('<span class="badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>', css, icon, text)
    return format_html('<span class="badge {}">{}</span>', css, text)


def state_colour(value: str, colours: dict | None = None) -> str:
    """The colour of `value`: from `colours` (what a library's choices mean otherwise), else its state's
    colour (STATE_COLOURS), else light."""
    return (colours or {}).get(value) or STATE_COLOURS.get(value, "text-bg-light")


def choice_badge(
    value: str | None,
    choices,
    colours: dict | None = None,
    *,
    icons: dict | None = None,
    empty: str = "",
    css: str = "status-badge",
) -> str:
    """`value` of the `choices` (a TextChoices class) as a badge in its colour (state_colour) after the
    classes `css`, with its icon when `icons` names one; `empty` when there is no value."""
    if not value:
        return empty
    icon = (icons or {}).get(value, "")
    return badge(f"{css} {state_colour(value, colours)}".strip(), choices(value).label, icon)


def no_value() -> str:
    """The grey dash of a cell that has nothing to show."""
    return format_html('<span class="text-body-tertiary">{}</span>', "—")
