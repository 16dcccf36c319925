"""The counts the navigation bar shows next to its entries (what waits for the user)."""

from tianjin_towns.lib.pages import once_per_request


def waiting_count(context, inbox: str, name: str, count) -> int:
    """What waits for the user: the total of the page's own inbox when the page shows one (`context[inbox]`,
    with a `total`), else `count(user)`, computed once per request and kept on it as `name`."""
    shown = context.get(inbox)
    if shown is not None:
        return shown.total
    return once_per_request(context, name, count)
