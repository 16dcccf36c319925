"""系统管理 → 接口客户端 (issue 18): the office creates the API clients of the data-sharing feed, issues their
tokens with a fixed expiry (the key shown once, on the page that issued it) and revokes them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tianjin_towns.errors import ConflictError
from tianjin_towns.lib.pages import error_text, form_page, run_step

from . import services
from .models import ApiClient, ApiToken, MemberUnit
from .permissions import check_manage_api_clients, get_api_client_for_user


class ApiClientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("客户端名称"), max_length=100)
    member_unit = forms.ModelChoiceField(
        label=gettext_lazy("所属成员单位"),
        queryset=MemberUnit.objects.filter(active=True).order_by("order"),
        required=False,
        empty_label=gettext_lazy("不属于成员单位（其他系统，共享全部已验收数据）"),
        help_text=gettext_lazy("属于成员单位的客户端，按该单位的数据共享范围读取数据。"),
    )
    note = forms.CharField(label=gettext_lazy("用途说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


@login_required
def api_client_list(request):
    check_manage_api_clients(request.user)
    clients = ApiClient.objects.select_related("member_unit", "user").order_by("-user__is_active", "name")
    return render(request, "coordination/clients/client_list.html", {"clients": clients})


@login_required
def api_client_create(request):
    check_manage_api_clients(request.user)
    form = ApiClientForm(request.POST or None)
    return form_page(
        request,
        form,
        "coordination/clients/client_form.html",
        {},
        services.api_client_create,
        success=lambda client: _("接口客户端“%(name)s”已创建，请签发令牌。") % {"name": client.name},
        then=lambda client: reverse("api-client-detail", args=[client.pk]),
    )


def _detail(request, client: ApiClient, **extra):
    tokens = ApiToken.objects.filter(user=client.user).order_by("-created_at", "-pk")
    return render(
        request,
        "coordination/clients/client_detail.html",
        {"client": client, "tokens": tokens, "token_days": services.TOKEN_DAYS, **extra},
    )


@login_required
def api_client_detail(request, pk: int):
    return _detail(request, get_api_client_for_user(request.user, pk))


@never_cache  # the page carries the key
@login_required
@require_POST
def api_client_token_issue(request, pk: int):
    """Issue a token and show its key on this response only: it is never stored or shown again."""
    client = get_api_client_for_user(request.user, pk)
    days = request.POST.get("days", "")
    try:
        token = services.api_client_token_issue(
            actor=request.user, client=client, days=int(days) if days.isdigit() else 0
        )
    except ConflictError as error:
        messages.error(request, error.message)
        return redirect("api-client-detail", pk=client.pk)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("api-client-detail", pk=client.pk)
    return _detail(request, client, new_token=token)


@login_required
@require_POST
def api_client_token_revoke(request, pk: int, token_pk: int):
    client = get_api_client_for_user(request.user, pk)
    token = ApiToken.objects.filter(pk=token_pk, user=client.user).first()
    if token is None:
        messages.error(request, _("令牌不存在。"))
    else:
        run_step(request, services.api_client_token_revoke, _("令牌已撤销，立即失效。"), token=token)
    return redirect("api-client-detail", pk=client.pk)


@login_required
@require_POST
def api_client_deactivate(request, pk: int):
    client = get_api_client_for_user(request.user, pk)
    run_step(request, services.api_client_deactivate, _("接口客户端已停用，全部令牌立即失效。"), client=client)
    return redirect("api-client-detail", pk=client.pk)
