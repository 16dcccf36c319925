"""The frames of every app's pages: {% card %}, {% table %} and its `col` filter, {% alert %} (lib.layout), and
{% confirm_post %}, the dialog that confirms an irreversible POST."""

from django import template
from django.urls import reverse

from tianjin_towns.lib import layout
from tianjin_towns.lib.routes import named_url

register = template.Library()
register.tag("card", layout.card)
register.tag("table", layout.table)
register.filter("col", layout.col)
register.tag("alert", layout.alert)


@register.simple_tag
def page_url(name: str) -> str:
    """{% page_url 'home' %}: {% url 'home' %} of a page without arguments, remembered (routes.named_url): the
    page frame links a dozen such pages on every request."""
    return named_url(name)


@register.inclusion_tag("includes/confirm_modal.html", takes_context=True)
def confirm_post(context, dialog_id: str, url_name: str, *args, title: str, text: str, style: str = "primary") -> dict:
    """{% confirm_post "unlock" "user-unlock" person.pk title=_("解除锁定") text=_("…") style="primary" %}: the dialog
    `dialog_id` that a button with data-bs-target="#<dialog_id>" opens, posting to url_name(*args), its button
    labelled with the title."""
    return {
        "id": dialog_id,
        "title": title,
        "text": text,
        "action": reverse(url_name, args=args),
        "label": title,
        "style": style,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("includes/pdf_copy.html", takes_context=True)
def pdf_copy(context, docx_url: str, label: str = "") -> dict:
    """{% pdf_copy docx_url %}: beside a Word document's download, the button that asks for its PDF copy (made in
    the background, coordination.document_pdfs); nothing where LibreOffice is not installed."""
    from coordination import document_pdfs

    request = context.get("request")
    return {
        "shown": document_pdfs.available(),
        "path": docx_url,
        "back": request.get_full_path() if request is not None else "",
        "label": label,
        "csrf_token": context.get("csrf_token"),
    }
