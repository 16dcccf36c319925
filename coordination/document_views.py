"""Pages of the documents issued (issue 20): the list (公文登记), the file as issued, and the issue itself, which
each document's own page posts (its app's view checks who may issue and calls `issue_response`)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib.pages import error_text, filter_arguments, render_list_page

from . import issued_documents
from .document_forms import DocumentFilterForm, DocumentIssueForm
from .models import IssuedDocument

PER_PAGE = 20


@login_required
def document_list(request):
    form = DocumentFilterForm(request.GET or None)
    documents = issued_documents.issued_documents(request.user, **filter_arguments(form))
    return render_list_page(request, "coordination/documents/document_list.html", form, documents, PER_PAGE)


@login_required
def document_file(request, pk: int):
    return issued_documents.issued_file(issued_documents.get_document_for_user(request.user, pk))


def issue_response(request, *, kind: str, issue: Callable[..., IssuedDocument], back: str):
    """The POST of a document page's 印发 dialog, or of its 更正重发 dialog (`corrects`, `reason`): `issue` (the
    app's service, called with actor, corrects and reason), a message saying how it went, and back to the page.
    The caller has checked that the user may issue."""
    data = request.POST.copy()
    data.setdefault("corrects", request.GET.get("corrects", ""))  # 更正重发 names it in the address it posts to
    form = DocumentIssueForm(data)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
        return redirect(back)
    corrects = None
    if form.cleaned_data["corrects"]:
        # The service checks that it is the current document of what is issued here.
        corrects = IssuedDocument.objects.filter(kind=kind, pk=form.cleaned_data["corrects"]).first()
        if corrects is None:
            raise Http404
    try:
        document = issue(actor=request.user, corrects=corrects, reason=form.cleaned_data["reason"])
    except ConflictError as conflict:
        messages.error(request, conflict.message)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        done = _("已更正重发") if corrects else _("已印发")
        messages.success(
            request,
            _("%(done)s：%(number)s《%(title)s》，印发件已存档，可在“公文登记”中查阅。")
            % {"done": done, "number": document.number, "title": document.title},
        )
    return redirect(back)
