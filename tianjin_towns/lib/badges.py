"""The badges every app's pages show: a status (or another choice) in its colour, a plain badge, and the
dash of an empty value. Each template tag library keeps its own colours and calls these."""

from django.utils.html import format_html


def badge(css: str, text, icon: str = "") -> str:
    """A Bootstrap badge with the classes `css`, and a Bootstrap icon before the text when `icon` is given."""
    if icon:
        return format_html('<span class="badge {}"><i class="bi {}" aria-hidden="true"></i> {}</span>', css, icon, text)
    return format_html('<span class="badge {}">{}</span>', css, text)


def choice_badge(
    value: str | None, choices, colours: dict, *, icons: dict | None = None, empty: str = "", css: str = "status-badge"
) -> str:
    """`value` of the `choices` (a TextChoices class) as a badge in its colour (light when it has none) after
    the classes `css`, with its icon when `icons` names one; `empty` when there is no value."""
    if not value:
        return empty
    icon = (icons or {}).get(value, "")
    return badge(f"{css} {colours.get(value, 'text-bg-light')}".strip(), choices(value).label, icon)


def no_value() -> str:
    """The grey dash of a cell that has nothing to show."""
    return format_html('<span class="text-body-tertiary">{}</span>', "—")
