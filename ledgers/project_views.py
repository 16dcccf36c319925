"""Pages of the project ledger (重点项目台账, R-3.3): districts register and maintain their towns' projects;
the office and the leaders see every project, a district only its own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.models import SharedKind
from coordination.permissions import (
    reading_districts_for_user,
    reading_towns_for_user,
    reads_shared_only,
)
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.pages import page_of
from tianjin_towns.lib.pages import query_without_page as _query_without_page

from . import selectors, services
from .permissions import (
    MANAGE_PROJECTS,
    VIEW,
    can_manage_projects,
    check_register_projects,
    get_project_attachment_for_user,
    get_project_for_user,
    project_towns_for_user,
)
from .project_forms import AttachmentForm, ProjectFilterForm, ProjectForm

PER_PAGE = 20


@login_required
def project_list(request):
    districts = reading_districts_for_user(request.user, SharedKind.PROJECTS)
    towns = reading_towns_for_user(request.user, SharedKind.PROJECTS)
    form = ProjectFilterForm(request.GET or None, districts=districts, towns=towns)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    district, town = filters.get("district"), filters.get("town")
    projects = selectors.project_list(
        request.user,
        district_id=district.pk if district else None,
        town_id=town.pk if town else None,
        status=filters.get("status") or None,
        category=filters.get("category") or None,
        year=filters.get("year"),
        search=filters.get("q") or "",
        with_progress=False,
    )
    page = page_of(request, projects, PER_PAGE)
    year = filters.get("year") or dates.today().year
    for project in page.object_list:
        project.year_plan = project.plan_for_year(year)  # the plan of the year shown (prefetched plans)
    manageable = project_towns_for_user(request.user)
    return render(
        request,
        "ledgers/projects/project_list.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "plan_year": year,
            "can_create": manageable.exists(),
            "manageable_ids": set(manageable.values_list("pk", flat=True)),
        },
    )


@login_required
def project_create(request):
    check_register_projects(request.user)
    towns = project_towns_for_user(request.user)
    initial = {"status": "preparing"}
    if (request.GET.get("town") or "").isdigit():
        initial["town"] = int(request.GET["town"])
    form = ProjectForm(request.POST or None, towns=towns, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.user,
                town=form.cleaned_data["town"],
                code=form.cleaned_data["code"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("项目「%(name)s」已登记。") % {"name": project.name})
            return redirect("project-detail", pk=project.pk)
    return render(request, "ledgers/projects/project_form.html", {"form": form, "project": None})


@login_required
def project_detail(request, pk: int):
    project = get_project_for_user(request.user, pk, VIEW)
    parts = selectors.project_detail_parts(project, shared_only=reads_shared_only(request.user))
    return render(
        request,
        "ledgers/projects/project_detail.html",
        {
            "project": project,
            **parts,
            "this_year_plan": project.plan_for_year(dates.today().year),
            "can_manage": can_manage_projects(request.user, project),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
def project_edit(request, pk: int):
    project = get_project_for_user(request.user, pk, MANAGE_PROJECTS)
    form = ProjectForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **form.service_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("项目信息已保存。已验收月份的计划数保持验收时的数值。"))
            return redirect("project-detail", pk=project.pk)
    return render(request, "ledgers/projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_attachment_upload(request, pk: int):
    project = get_project_for_user(request.user, pk, MANAGE_PROJECTS)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("project-detail", pk=project.pk)
    try:
        services.project_attachment_add(
            actor=request.user, project=project, file=form.cleaned_data["file"], note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("project-detail", pk=project.pk)


@login_required
def project_attachment(request, pk: int, attachment_id: int):
    """Download an attachment of a project the user sees (404 otherwise)."""
    attachment = get_project_attachment_for_user(request.user, pk, attachment_id)
    target = f"附件 {attachment.name}（项目 {attachment.project.name}）"
    return downloads.file_download(
        attachment.file, filename=attachment.name, content_type=attachment.content_type, target=target
    )
